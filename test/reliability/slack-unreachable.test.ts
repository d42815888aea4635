import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog, statusDm } from '../harness/flows.ts';

/**
 * Slack's Web API unreachable while work is under way: acks stay immediate (they never wait on the
 * Web API), and the status DM still arrives exactly once when Slack is back.
 */
describe.each([['refusing connections', 'refuse'], ['accepting but never answering', 'hang']] as const)('Slack Web API %s', (_name, mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('acks stay immediate; the launch DM is delivered once when Slack comes back', async () => {
    const user = mode === 'hang' ? 'U_CAROL' : 'U_DAVE';
    await launchFromCatalog(t, user, 'crm-demo');
    // Cut Slack while the launch runs: the demo's DM updates are still to come.
    if (mode === 'hang') t.fake.hang = true;
    else t.fake.refuse = true;
    const started = Date.now();
    const ack = await t.slack.command({ user, text: 'help' });
    expect(ack.response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    const demo = await demoInState(t, user, 'running');
    await new Promise((r) => setTimeout(r, 1_500));
    if (mode === 'hang') t.fake.hang = false;
    else t.fake.refuse = false;
    // The DM reaches "ready", posted once.
    const row = await eventually(() => t.db.selectFrom('demos').selectAll().where('id', '=', demo.id).executeTakeFirstOrThrow(), (d) => !!d.dm_ts, 60_000);
    await eventually(() => statusDm(t, row).text, (s) => s.includes('ready'), 60_000);
    const channel = row.dm_channel!;
    const posts = t.fake.history(channel).filter((m) => m.metadata?.event_payload && (m.metadata.event_payload as { key?: string }).key === demo.id);
    expect(posts).toHaveLength(1);
  }, 90_000);
});
