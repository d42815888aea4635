import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { DEFAULT_TOKEN, FakeSlack, RESPONSE_URL_METHOD, UPLOAD_METHOD } from '../../sim/slack/index.ts';
import { blockActions, slashCommand } from '../harness/slack-requests.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
const clock = new ManualClock('2026-03-02T09:00:00Z');
const fake = new FakeSlack({ clock });
let web: WebClient;

beforeAll(async () => {
  const { apiUrl } = await fake.listen();
  web = new WebClient(DEFAULT_TOKEN, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logger: quiet });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function respond(url: string, body: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('response_url', () => {
  test('ephemeral by default, in_channel on request; recorded as calls', async () => {
    const url = fake.issueResponseUrl('C_DEMOS', 'U_ALICE');
    expect(url.startsWith(`${fake.url}/commands/T_DEMO/`)).toBe(true);
    const res = await respond(url, { text: 'Working on it…' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(fake.ephemerals('U_ALICE')).toMatchObject([{ channel: 'C_DEMOS', text: 'Working on it…', source: 'response_url' }]);
    await respond(url, { text: 'Everyone look', response_type: 'in_channel' });
    expect(fake.messages('C_DEMOS')).toMatchObject([{ text: 'Everyone look', bot_id: 'B_DEMOBOT' }]);
    expect(fake.callsTo(RESPONSE_URL_METHOD).map((c) => c.args['text'])).toEqual(['Working on it…', 'Everyone look']);
  });

  test('at most 5 uses, and only within 30 minutes', async () => {
    const url = fake.issueResponseUrl('C_DEMOS', 'U_ALICE');
    for (let i = 0; i < 5; i++) expect((await respond(url, { text: `#${i}` })).status).toBe(200);
    const sixth = await respond(url, { text: '#6' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    const later = fake.issueResponseUrl('C_DEMOS', 'U_ALICE');
    clock.advance(30 * 60 * 1000 + 1);
    expect(await (await respond(later, { text: 'too late' })).json()).toEqual({ ok: false, error: 'expired_url' });
  });

  test('replace_original and delete_original act on the message a button was clicked in', async () => {
    const posted = await web.chat.postMessage({
      channel: 'C_DEMOS',
      text: 'Stop demo?',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'demo_stop', value: 'demo-7', text: { type: 'plain_text', text: 'Stop' } }],
        },
      ],
    });
    const click = blockActions(fake, { user: 'U_ALICE', on: { channel: 'C_DEMOS', messageTs: posted.ts ?? '' }, actionId: 'demo_stop' });
    expect(click.responseUrl?.startsWith(`${fake.url}/actions/`)).toBe(true);
    await respond(click.responseUrl ?? '', { replace_original: true, text: 'Stopping demo-7…' });
    expect(fake.message('C_DEMOS', posted.ts ?? '')).toMatchObject({ text: 'Stopping demo-7…' });
    await respond(click.responseUrl ?? '', { delete_original: true });
    expect(fake.message('C_DEMOS', posted.ts ?? '')).toBeUndefined();
  });

  test('content is checked like chat.postMessage (invalid blocks → 400)', async () => {
    const { responseUrl } = slashCommand(fake, { text: 'help' });
    const res = await respond(responseUrl ?? '', { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_blocks', errors: ['must be less than 151 characters [json-pointer:/blocks/0/text/text]'] });
  });
});

describe('external file upload', () => {
  test('files.uploadV2 without a channel: URL, bytes, completion — and no message', async () => {
    const res = await web.files.uploadV2({ file: Buffer.from('PNGDATA-1234'), filename: 'usage.png', title: 'Usage' });
    expect(res.ok).toBe(true);
    const [getUrl] = fake.callsTo('files.getUploadURLExternal');
    expect(getUrl?.args).toMatchObject({ filename: 'usage.png', length: '12' });
    expect(fake.callsTo(UPLOAD_METHOD)).toMatchObject([{ args: { bytes: 12 } }]);
    const [complete] = fake.callsTo('files.completeUploadExternal');
    expect(complete?.response).toMatchObject({ ok: true, files: [{ name: 'usage.png', title: 'Usage', size: 12 }] });
    expect(fake.messages('C_DEMOS')).toEqual([]);
  });

  test('with channel_id the upload posts a message of its own', async () => {
    await web.files.uploadV2({ content: 'a,b\n1,2\n', filename: 'usage.csv', channel_id: 'C_DEMOS', initial_comment: 'Usage' });
    expect(fake.messages('C_DEMOS')).toMatchObject([{ subtype: 'file_share', text: 'Usage', files: [{ name: 'usage.csv' }] }]);
  });
});
