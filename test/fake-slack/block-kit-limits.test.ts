import { describe, expect, test } from 'vitest';
import { assertValidMessage, assertValidView, checkMessage, checkView, validateBlocks, validateView } from '../../sim/slack/block-kit-limits.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const button = (action_id: string, extra: object = {}) => ({ type: 'button', action_id, text: plain('Go'), ...extra });
const select = (options: Array<{ text: string; value: string }>) => ({
  type: 'static_select',
  action_id: 'pick',
  placeholder: plain('Pick one'),
  options: options.map((o) => ({ text: plain(o.text), value: o.value })),
});
const options = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `Option ${i}`, value: `v${i}` }));
const x = (n: number) => 'x'.repeat(n);

/** One block at its limit passes; one character or item more fails at exactly this pointer and message. */
const limitCases: Array<{ name: string; ok: object; bad: object; error: string }> = [
  {
    name: 'section text ≤ 3000',
    ok: { type: 'section', text: mrkdwn(x(3000)) },
    bad: { type: 'section', text: mrkdwn(x(3001)) },
    error: 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
  },
  {
    name: 'section fields ≤ 10',
    ok: { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f')) },
    bad: { type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) },
    error: 'no more than 10 items allowed [json-pointer:/blocks/0/fields]',
  },
  {
    name: 'section field text ≤ 2000',
    ok: { type: 'section', fields: [mrkdwn(x(2000))] },
    bad: { type: 'section', fields: [mrkdwn(x(2001))] },
    error: 'must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]',
  },
  {
    name: 'header text ≤ 150',
    ok: { type: 'header', text: plain(x(150)) },
    bad: { type: 'header', text: plain(x(151)) },
    error: 'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
  },
  {
    name: 'block_id ≤ 255',
    ok: { type: 'divider', block_id: x(255) },
    bad: { type: 'divider', block_id: x(256) },
    error: 'must be less than 256 characters [json-pointer:/blocks/0/block_id]',
  },
  {
    name: 'action_id ≤ 255',
    ok: { type: 'actions', elements: [button(x(255))] },
    bad: { type: 'actions', elements: [button(x(256))] },
    error: 'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
  },
  {
    name: 'button text ≤ 75',
    ok: { type: 'actions', elements: [button('b', { text: plain(x(75)) })] },
    bad: { type: 'actions', elements: [button('b', { text: plain(x(76)) })] },
    error: 'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
  },
  {
    name: 'button value ≤ 2000',
    ok: { type: 'actions', elements: [button('b', { value: x(2000) })] },
    bad: { type: 'actions', elements: [button('b', { value: x(2001) })] },
    error: 'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
  },
  {
    name: 'button url ≤ 3000',
    ok: { type: 'section', text: mrkdwn('t'), accessory: button('b', { url: `https://e.com/${x(2986)}` }) },
    bad: { type: 'section', text: mrkdwn('t'), accessory: button('b', { url: `https://e.com/${x(2987)}` }) },
    error: 'must be less than 3001 characters [json-pointer:/blocks/0/accessory/url]',
  },
  {
    name: 'actions ≤ 25 elements',
    ok: { type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(`b${i}`)) },
    bad: { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) },
    error: 'no more than 25 items allowed [json-pointer:/blocks/0/elements]',
  },
  {
    name: 'static_select ≤ 100 options',
    ok: { type: 'actions', elements: [select(options(100))] },
    bad: { type: 'actions', elements: [select(options(101))] },
    error: 'no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]',
  },
  {
    name: 'option text ≤ 75',
    ok: { type: 'actions', elements: [select([{ text: x(75), value: 'v' }])] },
    bad: { type: 'actions', elements: [select([{ text: x(76), value: 'v' }])] },
    error: 'must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]',
  },
  {
    name: 'option value ≤ 150',
    ok: { type: 'actions', elements: [select([{ text: 't', value: x(150) }])] },
    bad: { type: 'actions', elements: [select([{ text: 't', value: x(151) }])] },
    error: 'must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]',
  },
  {
    name: 'context ≤ 10 elements',
    ok: { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) },
    bad: { type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) },
    error: 'no more than 10 items allowed [json-pointer:/blocks/0/elements]',
  },
];

describe('block limits', () => {
  test.each(limitCases)('$name', ({ ok, bad, error }) => {
    expect(validateBlocks([ok], 'message')).toEqual([]);
    expect(validateBlocks([bad], 'message').map((e) => `${e.message} [json-pointer:${e.pointer}]`)).toContain(error);
  });

  test('50 blocks per message, 100 per modal or Home', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(validateBlocks(blocks(50), 'message')).toEqual([]);
    expect(validateBlocks(blocks(51), 'message')).toEqual([{ message: 'no more than 50 items allowed', pointer: '/blocks' }]);
    expect(validateBlocks(blocks(100), 'home')).toEqual([]);
    expect(validateBlocks(blocks(101), 'modal', '/view/blocks')).toEqual([{ message: 'no more than 100 items allowed', pointer: '/view/blocks' }]);
  });

  test('block_ids are unique per surface; action_ids per block, as Slack documents', () => {
    const dupBlocks = validateBlocks(
      [
        { type: 'divider', block_id: 'a' },
        { type: 'divider', block_id: 'a' },
      ],
      'message',
    );
    expect(dupBlocks).toEqual([{ message: 'duplicate block_id: a', pointer: '/blocks/1/block_id' }]);
    const dupActions = validateBlocks([{ type: 'actions', elements: [button('stop'), button('stop')] }], 'message');
    expect(dupActions).toEqual([{ message: 'duplicate action_id: stop', pointer: '/blocks/0/elements/1/action_id' }]);
    const perRow = [1, 2].map((i) => ({ type: 'section', text: mrkdwn(`demo ${i}`), accessory: button('demo_stop', { value: `d${i}` }) }));
    expect(validateBlocks(perRow, 'message')).toEqual([]);
  });

  test('unknown block and element types, empty text, missing input label are refused', () => {
    expect(validateBlocks([{ type: 'carousel_of_doom' }], 'message')).toEqual([{ message: 'unknown block type: carousel_of_doom', pointer: '/blocks/0/type' }]);
    expect(validateBlocks([{ type: 'actions', elements: [{ type: 'slider', action_id: 's' }] }], 'message')).toEqual([
      { message: 'unknown element type: slider', pointer: '/blocks/0/elements/0/type' },
    ]);
    expect(validateBlocks([{ type: 'section', text: mrkdwn('') }], 'message')).toEqual([
      { message: 'must be more than 0 characters', pointer: '/blocks/0/text/text' },
    ]);
    expect(validateBlocks([{ type: 'input', element: { type: 'plain_text_input', action_id: 'i' } }], 'modal')).toEqual([
      { message: 'missing required field: label', pointer: '/blocks/0' },
    ]);
    expect(validateBlocks([{ type: 'header', text: mrkdwn('*bold*') }], 'message')).toEqual([
      { message: 'must be a plain_text text object', pointer: '/blocks/0/text/type' },
    ]);
  });

  test('counts characters, not UTF-16 units', () => {
    expect(validateBlocks([{ type: 'header', text: plain('🚀'.repeat(150)) }], 'message')).toEqual([]);
  });
});

describe('views', () => {
  const modal = (over: object = {}) => ({ type: 'modal', title: plain('Launch a demo'), blocks: [], ...over });

  test('title, submit and close ≤ 24; private_metadata ≤ 3000', () => {
    expect(validateView(modal({ title: plain(x(24)), submit: plain(x(24)), close: plain(x(24)) }))).toEqual([]);
    expect(validateView(modal({ title: plain(x(25)) }))).toEqual([{ message: 'must be less than 25 characters', pointer: '/view/title/text' }]);
    expect(validateView(modal({ submit: plain(x(25)), close: plain(x(25)) })).map((e) => e.pointer)).toEqual(['/view/submit/text', '/view/close/text']);
    expect(validateView(modal({ private_metadata: x(3000) }))).toEqual([]);
    expect(validateView(modal({ private_metadata: x(3001) }))).toEqual([{ message: 'must be less than 3001 characters', pointer: '/view/private_metadata' }]);
  });

  test('a modal with inputs needs a submit button; a title is required', () => {
    const input = { type: 'input', label: plain('Name'), element: { type: 'plain_text_input', action_id: 'n' } };
    expect(validateView(modal({ blocks: [input] })).map((e) => e.pointer)).toEqual(['/view']);
    expect(validateView(modal({ blocks: [input], submit: plain('Save') }))).toEqual([]);
    expect(validateView({ type: 'modal', blocks: [] })).toEqual([{ message: 'missing required field: title', pointer: '/view' }]);
  });

  test('checkView answers invalid_arguments with formatted errors; assertValidView throws them', () => {
    expect(checkView(modal({ title: plain(x(25)) }))).toEqual({
      error: 'invalid_arguments',
      errors: ['must be less than 25 characters [json-pointer:/view/title/text]'],
    });
    expect(() => assertValidView(modal({ title: plain(x(25)) }))).toThrow(/json-pointer:\/view\/title\/text/);
    expect(() => assertValidView({ type: 'home', blocks: [{ type: 'divider' }] })).not.toThrow();
  });
});

describe('messages', () => {
  test('text ≤ 40,000 (msg_too_long), something to show (no_text), blocks (invalid_blocks)', () => {
    expect(checkMessage({ text: x(40_000) })).toBeNull();
    expect(checkMessage({ text: x(40_001) })).toEqual({ error: 'msg_too_long', errors: [] });
    expect(checkMessage({ text: '' })).toEqual({ error: 'no_text', errors: [] });
    expect(checkMessage({ text: 'hi', blocks: [{ type: 'nope' }] })).toEqual({
      error: 'invalid_blocks',
      errors: ['unknown block type: nope [json-pointer:/blocks/0/type]'],
    });
    expect(() => assertValidMessage({ text: 'fallback', blocks: [{ type: 'section', text: mrkdwn('ok') }] })).not.toThrow();
  });
});
