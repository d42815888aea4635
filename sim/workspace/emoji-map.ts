import { createRequire } from 'node:module';

interface EmojiRecord {
  unified: string;
  short_names: string[];
}

let built: Record<string, string> | undefined;

/**
 * Slack's emoji shortcodes → characters, from emoji-datasource (iamcal's data set, where Slack's own
 * names come from): about 1,900 emoji and 2,000 names, built once and served to the page as one small
 * JSON map (~40 kB) instead of shipping the 1.3 MB data set or a hand-kept table.
 */
export function emojiMap(): Record<string, string> {
  if (built) return built;
  const data = createRequire(import.meta.url)('emoji-datasource') as EmojiRecord[];
  const map: Record<string, string> = {};
  for (const e of data) {
    const char = String.fromCodePoint(...e.unified.split('-').map((hex) => parseInt(hex, 16)));
    for (const name of e.short_names) map[name] = char;
  }
  built = map;
  return map;
}
