import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog, statusDm } from '../harness/flows.ts';

/**
 * Slack's Web API unreachable while work is under way: acks never wait on the Web API, and the status
 * DM still arrives exactly once when Slack is back. No clock is read: "the ack did not wait" is shown
 * by the ack coming back, with its answer, while Slack answers nothing.
 */
describe.each([
  ['refusing connections', 'refuse'],
  ['accepting but never answering', 'hang'],
] as const)('Slack Web API %s', (_name, mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('acks need no Web API answer; the launch DM is delivered once when Slack comes back', async () => {
    const user = mode === 'hang' ? 'U_CAROL' : 'U_DAVE';
    // Every Web API request the app makes while Slack is cut off (held unanswered, or refused).
    const attempted: string[] = [];
    t.fake.events.on(mode === 'hang' ? 'request_held' : 'request_refused', (url) => attempted.push(url));
    await launchFromCatalog(t, user, 'crm-demo');
    // Cut Slack while the launch runs: the demo's DM updates are still to come.
    if (mode === 'hang') t.fake.hang = true;
    else t.fake.refuse = true;
    const ack = await t.slack.command({ user, text: 'help' });
    expect(ack.response.status).toBe(200);
    // The answer is in the ack itself, and Bolt did not ask Slack who it is (auth.test) to give it.
    expect(JSON.stringify(ack.body)).toContain('/demo launch');
    expect(attempted.filter((url) => url.includes('auth.test'))).toEqual([]);
    const demo = await demoInState(t, user, 'running');
    // Positive signal that the launch tried to reach the user's DM (open the IM, post or update in it)
    // while Slack was unreachable.
    await eventually(
      () => attempted,
      (urls) => urls.some((url) => /\/api\/(conversations\.open|chat\.(update|postMessage))/.test(url)),
      60_000,
    );
    if (mode === 'hang') t.fake.hang = false;
    else t.fake.refuse = false;
    // The DM reaches "ready", posted once.
    const row = await eventually(
      () => t.db.selectFrom('demos').selectAll().where('id', '=', demo.id).executeTakeFirstOrThrow(),
      (d) => !!d.dm_ts,
      60_000,
    );
    await eventually(
      () => statusDm(t, row).text,
      (s) => s.includes('ready'),
      60_000,
    );
    const channel = row.dm_channel!;
    const posts = t.fake.history(channel).filter((m) => m.metadata?.event_payload && (m.metadata.event_payload as { key?: string }).key === demo.id);
    expect(posts).toHaveLength(1);
  }, 90_000);
});
