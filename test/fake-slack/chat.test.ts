import { LogLevel, WebClient, type Logger, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_TOKEN, FakeSlack } from '../../sim/slack/index.ts';

const fake = new FakeSlack();
let web: WebClient;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

beforeAll(async () => {
  const { apiUrl } = await fake.listen(0, '127.0.0.1');
  web = new WebClient(DEFAULT_TOKEN, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logger: quiet });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** The Slack error code a WebClient call failed with. */
async function slackError(call: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await call;
  } catch (error) {
    return (error as WebAPIPlatformError).data;
  }
  throw new Error('expected the call to fail');
}

describe('chat.postMessage', () => {
  test('posts with a Slack-style ts, stores blocks with block_ids, and records the call', async () => {
    const res = await web.chat.postMessage({
      channel: 'C_DEMOS',
      text: 'Launching',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Launching*' } }],
    });
    expect(res.ok).toBe(true);
    expect(res.channel).toBe('C_DEMOS');
    expect(res.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(res.message).toMatchObject({ type: 'message', text: 'Launching', bot_id: 'B_DEMOBOT', user: 'U_DEMOBOT' });
    const stored = fake.message('C_DEMOS', res.ts ?? '');
    expect(stored?.blocks?.[0]?.['block_id']).toEqual(expect.any(String));
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args['blocks']).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*Launching*' } }]);
    expect(call?.args).not.toHaveProperty('token');
  });

  test('a user id as channel posts to the bot DM and returns the D… channel, like Slack', async () => {
    const res = await web.chat.postMessage({ channel: 'U_ALICE', text: 'hi' });
    expect(res.channel).toMatch(/^D/);
    expect(fake.imChannel('U_ALICE')).toBe(res.channel);
    const open = await web.conversations.open({ users: 'U_ALICE' });
    expect(open).toMatchObject({ ok: true, no_op: true, already_open: true, channel: { id: res.channel } });
    expect(fake.messages('U_ALICE').map((m) => m.text)).toEqual(['hi']);
  });

  test('thread replies update the parent and come back from conversations.replies', async () => {
    const parent = await web.chat.postMessage({ channel: 'C_APPROVALS', text: 'Share request' });
    await web.chat.postMessage({ channel: 'C_APPROVALS', text: 'first', thread_ts: parent.ts });
    await web.chat.postMessage({ channel: 'C_APPROVALS', text: 'second', thread_ts: parent.ts });
    const replies = await web.conversations.replies({ channel: 'C_APPROVALS', ts: parent.ts ?? '' });
    expect(replies.messages?.map((m) => m.text)).toEqual(['Share request', 'first', 'second']);
    expect(replies.messages?.[0]).toMatchObject({ reply_count: 2, thread_ts: parent.ts });
    expect(replies.messages?.[1]).toMatchObject({ thread_ts: parent.ts, parent_user_id: 'U_DEMOBOT' });
    const history = await web.conversations.history({ channel: 'C_APPROVALS' });
    expect(history.messages?.map((m) => m.text)).toEqual(['Share request']);
    expect(await slackError(web.chat.postMessage({ channel: 'C_APPROVALS', text: 'x', thread_ts: '1.000001' }))).toMatchObject({
      error: 'thread_not_found',
    });
  });

  test('refuses unknown channels, public channels the bot has not joined, and unknown methods', async () => {
    expect(await slackError(web.chat.postMessage({ channel: 'C_NOPE', text: 'x' }))).toMatchObject({ error: 'channel_not_found' });
    expect(await slackError(web.chat.postMessage({ channel: 'G_PRIVATE', text: 'x' }))).toMatchObject({ error: 'channel_not_found' });
    expect(await slackError(web.chat.postMessage({ channel: 'C_RANDOM', text: 'x' }))).toMatchObject({ error: 'not_in_channel' });
    const joined = await web.conversations.join({ channel: 'C_RANDOM' });
    expect(joined.channel).toMatchObject({ id: 'C_RANDOM', is_member: true });
    await expect(web.chat.postMessage({ channel: 'C_RANDOM', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(await slackError(web.apiCall('emoji.list'))).toMatchObject({ error: 'unknown_method' });
  });

  test('checks the bearer token', async () => {
    const stranger = new WebClient('xoxb-wrong', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: quiet });
    expect(await slackError(stranger.auth.test())).toMatchObject({ ok: false, error: 'invalid_auth' });
    const res = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  test('refuses 51 blocks with invalid_blocks, errors and [ERROR] messages like Slack', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    const data = await slackError(web.chat.postMessage({ channel: 'C_DEMOS', text: 'too many', blocks }));
    expect(data).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      errors: ['no more than 50 items allowed [json-pointer:/blocks]'],
      response_metadata: { messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'] },
    });
    expect(fake.messages('C_DEMOS')).toEqual([]);
    const long = await slackError(web.chat.postMessage({ channel: 'C_DEMOS', text: 'x'.repeat(40_001) }));
    expect(long.error).toBe('msg_too_long');
  });

  test('accepts application/json bodies too', async () => {
    const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEFAULT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C_DEMOS', text: 'json', metadata: { event_type: 't', event_payload: { a: 1 } } }),
    });
    const body = (await res.json()) as { ok: boolean; ts: string };
    expect(body.ok).toBe(true);
    expect(fake.message('C_DEMOS', body.ts)?.metadata).toEqual({ event_type: 't', event_payload: { a: 1 } });
  });
});

describe('chat.update / chat.delete / chat.postEphemeral / chat.getPermalink', () => {
  test('update replaces text and blocks in place and marks the edit', async () => {
    const posted = await web.chat.postMessage({ channel: 'C_DEMOS', text: 'Provisioning…' });
    const updated = await web.chat.update({
      channel: 'C_DEMOS',
      ts: posted.ts ?? '',
      text: 'Running',
      blocks: [{ type: 'section', text: { type: 'plain_text', text: 'Running' } }],
    });
    expect(updated).toMatchObject({ ok: true, channel: 'C_DEMOS', ts: posted.ts, text: 'Running' });
    expect(fake.message('C_DEMOS', posted.ts ?? '')).toMatchObject({ text: 'Running', edited: { user: 'U_DEMOBOT' } });
    expect(await slackError(web.chat.update({ channel: 'C_DEMOS', ts: '1.000001', text: 'x' }))).toMatchObject({
      error: 'message_not_found',
    });
  });

  test('delete removes the message; postEphemeral returns message_ts; permalinks point at the fake', async () => {
    const posted = await web.chat.postMessage({ channel: 'C_DEMOS', text: 'bye' });
    const link = await web.chat.getPermalink({ channel: 'C_DEMOS', message_ts: posted.ts ?? '' });
    expect(link.permalink).toBe(`${fake.url}/archives/C_DEMOS/p${(posted.ts ?? '').replace('.', '')}`);
    await expect(web.chat.delete({ channel: 'C_DEMOS', ts: posted.ts ?? '' })).resolves.toMatchObject({ ok: true, ts: posted.ts });
    expect(fake.messages('C_DEMOS')).toEqual([]);
    const eph = await web.chat.postEphemeral({ channel: 'C_DEMOS', user: 'U_BOB', text: 'only you' });
    expect(eph.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals('U_BOB')).toMatchObject([{ channel: 'C_DEMOS', text: 'only you', source: 'chat.postEphemeral' }]);
  });
});

describe('chat.postMessage under another name (chat:write.customize)', () => {
  test('username and icon_url come back on the message as username and icons; icon_emoji wins over icon_url; as_user ignores both', async () => {
    const alice = (await web.users.info({ user: 'U_ALICE' })).user!.profile!;
    expect(alice.image_72).toMatch(/^https:\/\//);
    const res = await web.chat.postMessage({ channel: 'C_DEMOS', text: 'hi', username: alice.display_name!, icon_url: alice.image_72! });
    expect(res.message).toMatchObject({ username: 'alice', icons: { image_48: alice.image_72 }, bot_id: 'B_DEMOBOT' });
    expect(fake.message('C_DEMOS', res.ts!)).toMatchObject({ username: 'alice', icons: { image_48: alice.image_72 } });
    // The typed client refuses these combinations; a raw call sends them as any client could.
    const emoji = await web.apiCall('chat.postMessage', {
      channel: 'C_DEMOS',
      text: 'hi',
      username: 'x',
      icon_emoji: ':robot_face:',
      icon_url: alice.image_72,
    });
    expect((emoji as { message?: { icons?: unknown } }).message?.icons).toEqual({ emoji: ':robot_face:' });
    const plain = await web.apiCall('chat.postMessage', { channel: 'C_DEMOS', text: 'hi', as_user: true, username: 'x' });
    expect((plain as { message?: object }).message).not.toHaveProperty('username');
  });
});

describe('conversations.history', () => {
  test('newest first, limit + cursor paging, oldest/latest window', async () => {
    const ts: string[] = [];
    for (let i = 0; i < 7; i++) ts.push((await web.chat.postMessage({ channel: 'C_GENERAL', text: `m${i}` })).ts ?? '');
    const first = await web.conversations.history({ channel: 'C_GENERAL', limit: 3 });
    expect(first.messages?.map((m) => m.text)).toEqual(['m6', 'm5', 'm4']);
    expect(first.has_more).toBe(true);
    const cursor = first.response_metadata?.next_cursor ?? '';
    expect(cursor).not.toBe('');
    const second = await web.conversations.history({ channel: 'C_GENERAL', limit: 3, cursor });
    expect(second.messages?.map((m) => m.text)).toEqual(['m3', 'm2', 'm1']);
    const all: string[] = [];
    for await (const page of web.paginate('conversations.history', { channel: 'C_GENERAL', limit: 2 })) {
      all.push(...(page as unknown as { messages: Array<{ text: string }> }).messages.map((m) => m.text));
    }
    expect(all).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
    const window = await web.conversations.history({ channel: 'C_GENERAL', oldest: ts[1], latest: ts[4] });
    expect(window.messages?.map((m) => m.text)).toEqual(['m3', 'm2']);
    const inclusive = await web.conversations.history({ channel: 'C_GENERAL', oldest: ts[1], latest: ts[4], inclusive: true });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2', 'm1']);
  });

  test('metadata is stored and returned only with include_all_metadata (exactly-once digests)', async () => {
    const metadata = { event_type: 'usage_digest', event_payload: { period: '2026-W10' } };
    await web.chat.postMessage({ channel: 'C_GENERAL', text: 'Weekly digest', metadata });
    const plain = await web.conversations.history({ channel: 'C_GENERAL' });
    expect(plain.messages?.[0]).not.toHaveProperty('metadata');
    const withMeta = await web.conversations.history({ channel: 'C_GENERAL', include_all_metadata: true });
    expect(withMeta.messages?.[0]?.metadata).toEqual(metadata);
  });

  test('not_in_channel for a public channel the bot has not joined', async () => {
    expect(await slackError(web.conversations.history({ channel: 'C_RANDOM' }))).toMatchObject({ error: 'not_in_channel' });
    const info = await web.conversations.info({ channel: 'C_RANDOM' });
    expect(info.channel).toMatchObject({ id: 'C_RANDOM', name: 'random', is_member: false, is_private: false });
  });
});

describe('directory', () => {
  test('auth.test, users.info and usergroups.users.list', async () => {
    expect(await web.auth.test()).toMatchObject({
      ok: true,
      url: `${fake.url}/`,
      team: 'Demo Workspace',
      team_id: 'T_DEMO',
      user_id: 'U_DEMOBOT',
      bot_id: 'B_DEMOBOT',
    });
    const alice = await web.users.info({ user: 'U_ALICE' });
    expect(alice.user).toMatchObject({ id: 'U_ALICE', name: 'alice', real_name: 'Alice Adams', tz: 'Europe/Berlin' });
    expect(alice.user?.tz_offset).toBeGreaterThanOrEqual(3600);
    expect(alice.user?.profile?.title).toBe('Sales Engineer');
    expect(await slackError(web.users.info({ user: 'U_NOBODY' }))).toMatchObject({ error: 'user_not_found' });
    expect(await web.usergroups.users.list({ usergroup: 'S_APPROVERS' })).toMatchObject({ users: ['U_MANAGER'] });
  });
});
