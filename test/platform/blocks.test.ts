import { expect, test } from 'vitest';
import { replyMessage } from '../../src/comments/views.ts';
import { escapeMrkdwn, LIMITS, sections } from '../../src/platform/blocks.ts';

const texts = (blocks: unknown[]) => (blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section').map((b) => b.text!.text);

test('a 3000-character comment full of & < > posts whole: sections of at most 3000 characters that join back to it', () => {
  const raw = 'Q&A <draft> & more '.repeat(158).slice(0, 3000);
  const body = escapeMrkdwn(raw);
  expect(body.length).toBeGreaterThan(LIMITS.sectionText);
  for (const asAuthor of [true, false]) {
    const parts = texts(replyMessage('U_BOB', body, asAuthor).blocks);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= LIMITS.sectionText)).toBe(true);
    // Split at spaces: rejoined with one, the whole comment is there.
    expect(parts.join(' ')).toBe(asAuthor ? body : `<@U_BOB> wrote: ${body}`);
  }
});

test('with no space or line break, a cut never lands inside an escaped entity', () => {
  // One character ahead of 1000 `&amp;`: a cut at 3000 would split the 600th entity.
  const body = escapeMrkdwn(`x${'&'.repeat(1000)}`);
  const parts = texts(sections(body));
  expect(parts.join('')).toBe(body);
  expect(parts.length).toBe(2);
  for (const p of parts) expect(p).toMatch(/^x?(&amp;)+$/);
});
