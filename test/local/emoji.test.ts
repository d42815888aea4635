import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { emojiMap } from '../../sim/workspace/emoji-map.ts';

/** Every `:shortcode:` written in the app's sources (src/), once each. */
function shortcodesInSources(dir = 'src'): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of source.matchAll(/(?<![:\w]):([a-z][a-z0-9_+-]*[a-z0-9]):(?![\\/])/g)) found.add(m[1]!);
  }
  return found;
}

test('every emoji shortcode the app writes renders in the local workspace', () => {
  const codes = shortcodesInSources();
  expect(codes.size).toBeGreaterThan(20);
  const map = emojiMap();
  expect([...codes].filter((c) => !map[c]).sort()).toEqual([]);
});

test('the map comes from the emoji data set: Slack names such as :raising_hand: and :white_small_square:', () => {
  const map = emojiMap();
  expect(Object.keys(map).length).toBeGreaterThan(1800);
  expect(map['raising_hand']).toBe('🙋');
  expect(map['white_small_square']).toBe('▫️');
  expect(map['warning']).toBe('⚠️');
  expect(map['+1']).toBe('👍');
});
