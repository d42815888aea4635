import { beforeAll, describe, expect, test } from 'vitest';
import { emojiMap } from '../../sim/workspace/emoji-map.ts';
import { addEmoji } from '../../sim/workspace/page/emoji.ts';
import { parseMrkdwn, type MdNode } from '../../sim/workspace/page/mrkdwn.ts';
import { formatSlackDate } from '../../sim/workspace/page/slack-date.ts';

// The page loads the map the workspace server builds; here it is built in-process.
beforeAll(() => addEmoji(emojiMap()));

/** Flatten a tree to a compact string, to compare whole parses at a glance. */
function show(nodes: MdNode[]): string {
  return nodes
    .map((n) => {
      switch (n.t) {
        case 'text':
          return n.v;
        case 'br':
          return '⏎';
        case 'b':
        case 'i':
        case 's':
        case 'quote':
          return `[${n.t} ${show(n.c)}]`;
        case 'link':
          return `[link ${n.url} ${show(n.c)}]`;
        case 'code':
        case 'pre':
          return `[${n.t} ${n.v}]`;
        case 'user':
          return `[@${n.id}]`;
        case 'channel':
          return `[#${n.id}${n.name ? `|${n.name}` : ''}]`;
        case 'broadcast':
          return `[!${n.name}]`;
        case 'usergroup':
          return `[^${n.id}]`;
        case 'date':
          return `[date ${n.epoch} ${n.format} ${n.fallback}]`;
        case 'emoji':
          return `[:${n.name}: ${n.v}]`;
      }
    })
    .join('');
}

describe('mrkdwn parser', () => {
  test.each([
    ['*bold* and _italic_ and ~strike~', '[b bold] and [i italic] and [s strike]'],
    ['*bold _and italic_*', '[b bold [i and italic]]'],
    ['snake_case_name and 2*3*4', 'snake_case_name and 2*3*4'],
    ['* not bold *', '* not bold *'],
    ['`*not bold*` but *bold*', '[code *not bold*] but [b bold]'],
    ['<https://example.com|a *label*> <https://x.test>', '[link https://example.com a [b label]] [link https://x.test https://x.test]'],
    ['<javascript:alert(1)|click>', '<javascript:alert(1)|click>'],
    ['<@U_BOB> in <#C_DEMOS|demo-vm> <!here> <!subteam^S_APPROVERS|@approvers>', '[@U_BOB] in [#C_DEMOS|demo-vm] [!here] [^S_APPROVERS]'],
    ['<!date^1700000000^{date_short} {time}|Nov 14>', '[date 1700000000 {date_short} {time} Nov 14]'],
    ['&lt;b&gt; &amp;lt; stays text', '<b> &lt; stays text'],
    ['a\nb', 'a⏎b'],
    ['> quoted\n&gt; also\nafter', '[quote quoted⏎also]after'],
    ['```\nline 1\n  *line 2*```', '[pre line 1\n  *line 2*]'],
    [':rocket: :not_an_emoji_name:', '[:rocket: 🚀] :not_an_emoji_name:'],
    ['*<https://a.test|link>*', '[b [link https://a.test link]]'],
  ])('%s', (input, expected) => {
    expect(show(parseMrkdwn(input))).toBe(expected);
  });
});

describe("Slack's date formatting, in the reader's time zone", () => {
  const epoch = 1_700_000_000; // 2023-11-14T22:13:20Z
  test.each([
    ['{date_num}', 'Europe/Berlin', '2023-11-14'],
    ['{date}', 'UTC', 'November 14th, 2023'],
    ['{date_short} {time}', 'Europe/Berlin', 'Nov 14, 2023 11:13 PM'],
    ['{date_long} {time_secs}', 'America/Los_Angeles', 'Tuesday, November 14th, 2023 2:13:20 PM'],
    ['{date_short} {time}', 'Asia/Tokyo', 'Nov 15, 2023 7:13 AM'],
  ])('%s in %s', (format, tz, expected) => {
    expect(formatSlackDate(epoch, format, tz)).toBe(expected);
  });

  test('pretty dates say today, yesterday and tomorrow', () => {
    const now = new Date('2023-11-15T12:00:00Z');
    expect(formatSlackDate(epoch, '{date_pretty}', 'UTC', now)).toBe('yesterday');
    expect(formatSlackDate(epoch, '{date_short_pretty}', 'Asia/Tokyo', now)).toBe('today');
    expect(formatSlackDate(epoch + 2 * 86_400, '{date_short_pretty}', 'UTC', now)).toBe('tomorrow');
    expect(formatSlackDate(epoch - 86_400, '{date_short_pretty}', 'UTC', now)).toBe('Nov 13, 2023');
    expect(formatSlackDate(epoch, '{ago}', 'UTC', new Date((epoch + 7200) * 1000))).toBe('2 hours ago');
  });
});
