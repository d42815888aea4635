import { LogLevel, WebClient, type Logger, type WebAPIPlatformError } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { DEFAULT_TOKEN, FakeSlack } from '../../sim/slack/index.ts';

const clock = new ManualClock('2026-03-02T09:00:00Z');
const fake = new FakeSlack({ clock });
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
let web: WebClient;

beforeAll(async () => {
  const { apiUrl } = await fake.listen();
  web = new WebClient(DEFAULT_TOKEN, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logger: quiet });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function slackError(call: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await call;
  } catch (error) {
    return (error as WebAPIPlatformError).data;
  }
  throw new Error('expected the call to fail');
}

function modal(title = 'Launch a demo', extra: Partial<ModalView> = {}): ModalView {
  return {
    type: 'modal',
    callback_id: 'launch',
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: 'Launch' },
    blocks: [
      {
        type: 'input',
        block_id: 'name',
        label: { type: 'plain_text', text: 'Name' },
        element: { type: 'plain_text_input', action_id: 'name_input' },
      },
    ],
    ...extra,
  };
}

describe('views.open', () => {
  test('opens with a trigger the fake issued, returning Slack’s view object', async () => {
    const trigger_id = fake.issueTriggerId('U_ALICE');
    expect(trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    const res = await web.views.open({ trigger_id, view: modal('Launch a demo', { private_metadata: 'img-1' }) });
    expect(res.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      team_id: 'T_DEMO',
      type: 'modal',
      callback_id: 'launch',
      private_metadata: 'img-1',
      state: { values: {} },
      hash: expect.stringMatching(/^\d+\.[0-9a-f]+$/),
      previous_view_id: null,
      app_id: 'A_DEMOVM',
      bot_id: 'B_DEMOBOT',
    });
    expect(res.view?.root_view_id).toBe(res.view?.id);
    expect(fake.views('U_ALICE').map((v) => v.id)).toEqual([res.view?.id]);
  });

  test('refuses unknown, reused and expired (> 3 s) trigger ids', async () => {
    expect(await slackError(web.views.open({ trigger_id: '1.2.abc', view: modal() }))).toMatchObject({ error: 'invalid_trigger_id' });
    const reused = fake.issueTriggerId();
    await web.views.open({ trigger_id: reused, view: modal() });
    expect(await slackError(web.views.open({ trigger_id: reused, view: modal() }))).toMatchObject({ error: 'exchanged_trigger_id' });
    const old = fake.issueTriggerId();
    clock.advance(3001);
    expect(await slackError(web.views.open({ trigger_id: old, view: modal() }))).toMatchObject({ error: 'expired_trigger_id' });
  });

  test('a 25-character title is refused with invalid_arguments, and the trigger stays usable', async () => {
    const trigger_id = fake.issueTriggerId();
    const data = await slackError(web.views.open({ trigger_id, view: modal('x'.repeat(25)) }));
    expect(data).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] },
    });
    await expect(web.views.open({ trigger_id, view: modal('x'.repeat(24)) })).resolves.toMatchObject({ ok: true });
  });
});

describe('views.update / views.push / views.publish', () => {
  test('update by view_id or external_id; a stale hash is a hash_conflict', async () => {
    const opened = await web.views.open({ trigger_id: fake.issueTriggerId(), view: modal('Loading…', { external_id: 'launch-42' }) });
    const id = opened.view?.id ?? '';
    const first = await web.views.update({ view_id: id, hash: opened.view?.hash, view: modal('Launch a demo') });
    expect(first.view).toMatchObject({ id, title: { text: 'Launch a demo' } });
    expect(first.view?.hash).not.toBe(opened.view?.hash);
    expect(await slackError(web.views.update({ view_id: id, hash: opened.view?.hash, view: modal('Stale') }))).toMatchObject({
      error: 'hash_conflict',
    });
    const byExternal = await web.views.update({ external_id: 'launch-42', view: modal('Ready') });
    expect(byExternal.view?.id).toBe(id);
    expect(fake.view(id)?.title).toMatchObject({ text: 'Ready' });
    expect(await slackError(web.views.update({ view_id: 'VNOPE', view: modal() }))).toMatchObject({ error: 'not_found' });
  });

  test('push stacks up to three modals', async () => {
    await web.views.open({ trigger_id: fake.issueTriggerId('U_BOB'), view: modal('One') });
    await web.views.push({ trigger_id: fake.issueTriggerId('U_BOB'), view: modal('Two') });
    const third = await web.views.push({ trigger_id: fake.issueTriggerId('U_BOB'), view: modal('Three') });
    expect(third.view?.root_view_id).toBe(fake.views('U_BOB')[0]?.id);
    expect(await slackError(web.views.push({ trigger_id: fake.issueTriggerId('U_BOB'), view: modal('Four') }))).toMatchObject({
      error: 'push_limit_reached',
    });
    expect(fake.views('U_BOB').map((v) => v.title?.['text'])).toEqual(['One', 'Two', 'Three']);
  });

  test('publish keeps one Home per user and enforces 100 blocks', async () => {
    const home = { type: 'home' as const, blocks: [{ type: 'header' as const, text: { type: 'plain_text' as const, text: 'Your demos' } }] };
    const first = await web.views.publish({ user_id: 'U_ALICE', view: home });
    const again = await web.views.publish({ user_id: 'U_ALICE', view: home, hash: first.view?.hash });
    expect(again.view?.id).toBe(first.view?.id);
    expect(fake.home('U_ALICE')?.blocks[0]).toMatchObject({ type: 'header' });
    const tooMany = { type: 'home' as const, blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) };
    expect(await slackError(web.views.publish({ user_id: 'U_ALICE', view: tooMany }))).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'] },
    });
    expect(await slackError(web.views.publish({ user_id: 'U_NOBODY', view: home }))).toMatchObject({ error: 'invalid_arguments' });
  });
});
