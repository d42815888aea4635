import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_TOKEN, FakeSlack } from '../../sim/slack/index.ts';
import { InboundSlack, slashCommand, slackSignature, verifySlackSignature } from '../harness/slack-requests.ts';

const SIGNING_SECRET = 'fake-signing-secret';
const fake = new FakeSlack();
let app: App;
let slack: InboundSlack;
const seen: Array<{ kind: string; body: unknown; retryNum?: number | undefined }> = [];
/** Listeners announce what they handled, so tests wait on events instead of polling. */
const handled = new EventEmitter();

/** A minimal real Bolt app: HTTP receiver, bot identity given so no request waits on auth.test. */
async function startApp(): Promise<string> {
  app = new App({
    signingSecret: SIGNING_SECRET,
    token: DEFAULT_TOKEN,
    botId: 'B_DEMOBOT',
    botUserId: 'U_DEMOBOT',
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });
  app.command('/demo', async ({ ack, body, client }) => {
    await ack();
    seen.push({ kind: 'command', body });
    if (body.text === 'launch') {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'launch',
          title: { type: 'plain_text', text: 'Launch a demo' },
          submit: { type: 'plain_text', text: 'Launch' },
          blocks: [
            {
              type: 'input',
              block_id: 'image',
              label: { type: 'plain_text', text: 'Image' },
              element: {
                type: 'static_select',
                action_id: 'image_select',
                options: [
                  { text: { type: 'plain_text', text: 'CRM demo' }, value: 'img-crm' },
                  { text: { type: 'plain_text', text: 'Broken image' }, value: 'img-bad' },
                ],
              },
            },
          ],
        },
      });
    }
  });
  app.view('launch', async ({ ack, view }) => {
    if (view.state.values['image']?.['image_select']?.selected_option?.value === 'img-bad') {
      await ack({ response_action: 'errors', errors: { image: 'This image is broken; pick another.' } });
      return;
    }
    await ack();
    seen.push({ kind: 'view_submission', body: view.state.values });
  });
  app.action('demo_stop', async ({ ack, body, respond }) => {
    await ack();
    seen.push({ kind: 'action', body });
    await respond({ replace_original: true, text: 'Stopping…' });
  });
  app.event('app_home_opened', async ({ event, client, context }) => {
    seen.push({ kind: 'app_home_opened', body: event, retryNum: context.retryNum });
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'divider' }] } });
  });
  app.message(async ({ message }) => {
    seen.push({ kind: 'message', body: message });
    handled.emit('message', message);
  });
  const server = (await app.start(0)) as Server;
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

beforeAll(async () => {
  await fake.listen();
  slack = new InboundSlack(fake, await startApp(), SIGNING_SECRET);
});
afterAll(async () => {
  await app.stop();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  seen.length = 0;
});

describe('signing, checked by Bolt’s own verification', () => {
  test('our signature is the documented v0 HMAC and verifies', () => {
    const body = 'token=x&text=hi';
    const sig = slackSignature(SIGNING_SECRET, 1_700_000_000, body);
    expect(sig).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verifySlackSignature(SIGNING_SECRET, { timestamp: '1700000000', signature: sig }, body, 1_700_000_100)).toBe(true);
    expect(verifySlackSignature(SIGNING_SECRET, { timestamp: '1700000000', signature: sig }, body, 1_700_000_400)).toBe(false);
  });

  test('signed → 200; unsigned, wrongly signed and stale (> 5 min) → 401', async () => {
    const signed = await slack.command({ text: 'help' });
    expect(signed.response.status).toBe(200);
    expect(seen.map((s) => s.kind)).toEqual(['command']);
    for (const signature of ['none', 'wrong', 'stale'] as const) {
      const refused = await slack.send(slashCommand(fake, { text: 'help' }), { signature });
      expect(refused.response.status, signature).toBe(401);
    }
    expect(seen).toHaveLength(1);
  });

  test('the slash command carries every documented field', async () => {
    await slack.command({ user: 'U_BOB', channel: 'C_DEMOS', text: 'help' });
    expect(seen[0]?.body).toMatchObject({
      token: 'fake-verification-token',
      team_id: 'T_DEMO',
      team_domain: 'demo-workspace',
      channel_id: 'C_DEMOS',
      channel_name: 'demo-vm',
      user_id: 'U_BOB',
      user_name: 'bob',
      command: '/demo',
      text: 'help',
      api_app_id: 'A_DEMOVM',
      is_enterprise_install: 'false',
      response_url: expect.stringContaining(`${fake.url}/commands/`),
      trigger_id: expect.any(String),
    });
  });
});

describe('payloads Bolt understands, end to end', () => {
  test('command → views.open with its trigger → view_submission with state values', async () => {
    await slack.command({ text: 'launch' });
    const open = await fake.waitFor('views.open');
    expect(open.response).toMatchObject({ ok: true });
    const viewId = fake.views('U_ALICE')[0]?.id ?? '';
    const refused = await slack.submit({ viewId, values: { image_select: 'img-bad' } });
    expect(refused.outcome).toEqual({ outcome: 'errors', errors: { image: 'This image is broken; pick another.' } });
    expect(fake.views('U_ALICE').map((v) => v.id)).toEqual([viewId]);
    const submitted = await slack.submit({ viewId, values: { image_select: 'img-crm' } });
    expect(submitted.response.status).toBe(200);
    expect(submitted.outcome).toEqual({ outcome: 'closed' });
    expect(fake.views('U_ALICE')).toEqual([]);
    expect(seen.at(-1)).toEqual({
      kind: 'view_submission',
      body: {
        image: {
          image_select: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'CRM demo' }, value: 'img-crm' } },
        },
      },
    });
  });

  test('button click → block_actions with the element’s value; respond() replaces the message', async () => {
    const posted = await app.client.chat.postMessage({
      channel: 'C_DEMOS',
      text: 'demo-7 is running',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*demo-7*' } },
        { type: 'actions', elements: [{ type: 'button', action_id: 'demo_stop', value: 'demo-7', text: { type: 'plain_text', text: 'Stop' } }] },
      ],
    });
    await slack.action({ user: 'U_ALICE', on: { channel: 'C_DEMOS', messageTs: posted.ts ?? '' }, actionId: 'demo_stop' });
    await fake.waitFor('response_url');
    const body = seen.find((s) => s.kind === 'action')?.body;
    expect(body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U_ALICE', username: 'alice', team_id: 'T_DEMO' },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C_DEMOS', is_ephemeral: false },
      channel: { id: 'C_DEMOS', name: 'demo-vm' },
      message: { ts: posted.ts, text: 'demo-7 is running' },
      actions: [{ action_id: 'demo_stop', type: 'button', value: 'demo-7', block_id: expect.any(String), action_ts: expect.any(String) }],
    });
    expect(fake.message('C_DEMOS', posted.ts ?? '')?.text).toBe('Stopping…');
    expect(() => slack.action({ on: { channel: 'C_DEMOS', messageTs: posted.ts ?? '' }, actionId: 'demo_start' })).toThrow(/no element/);
  });

  test('app_home_opened (with retry headers) and a user thread reply reach their listeners', async () => {
    const delivered = await slack.homeOpened({ user: 'U_BOB' }, { retryNum: 1, retryReason: 'http_timeout' });
    expect(delivered.response.status).toBe(200);
    await fake.waitFor('views.publish');
    expect(seen.find((s) => s.kind === 'app_home_opened')).toMatchObject({ body: { type: 'app_home_opened', user: 'U_BOB', tab: 'home' }, retryNum: 1 });
    expect(fake.home('U_BOB')).toBeDefined();

    const parent = await app.client.chat.postMessage({ channel: 'C_APPROVALS', text: 'Share request #1' });
    const reply = once(handled, 'message');
    await slack.message({ user: 'U_MANAGER', channel: 'C_APPROVALS', text: 'approved', threadTs: parent.ts ?? '' });
    const [message] = await reply;
    expect(message).toMatchObject({
      type: 'message',
      user: 'U_MANAGER',
      text: 'approved',
      thread_ts: parent.ts,
      channel_type: 'channel',
    });
    expect(fake.thread('C_APPROVALS', parent.ts ?? '').map((m) => m.text)).toEqual(['Share request #1', 'approved']);
  });
});
