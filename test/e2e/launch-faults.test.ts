import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockText, demoInState, demoRows, imageIdOf, launchFromCatalog, openViewIds, statusDm, waitForView } from '../harness/flows.ts';

/** Each test launches as its own user, so demos and DMs don't mix. */
describe('launch: idempotency, bad input and GCE faults', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());
  beforeEach(() => t.sim.clearFaults());

  const vmsOf = (demoId: string) => t.sim.instances.filter((i) => i.labels?.['demo-id'] === demoId);

  test('a double-clicked submit and a Slack retry of it create one demo and one instance', async () => {
    const user = 'U_BOB';
    const before = openViewIds(t, user);
    await t.slack.command({ user, text: 'launch crm-demo' });
    const launch = await waitForView(t, user, 'demos.launch', before);
    const { viewSubmission } = await import('../harness/slack-requests.ts');
    // Two clicks: two payloads for the same view, sent at once; then Slack retries the first.
    const first = viewSubmission(t.fake, { user, viewId: launch.id });
    const second = viewSubmission(t.fake, { user, viewId: launch.id });
    const [a, b] = await Promise.all([t.slack.send(first), t.slack.send(second)]);
    const retry = await t.slack.send(first, { retryNum: 1, retryReason: 'http_timeout' });
    expect([a.response.status, b.response.status, retry.response.status]).toEqual([200, 200, 200]);
    const demo = await demoInState(t, user, 'running', 'ready');
    expect(await demoRows(t, user)).toHaveLength(1);
    expect(vmsOf(demo.id)).toHaveLength(1);
    expect(t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demo.id))).toHaveLength(1);
  });

  test('an insert that reaches GCE but whose answer is lost is sent again with the same requestId: one instance', async () => {
    const user = 'U_MANAGER';
    t.sim.injectFault({ method: 'instances.insert', kind: 'drop_response', times: 1 });
    await launchFromCatalog(t, user, 'analytics-dashboard');
    const demo = await demoInState(t, user, 'running', 'ready');
    const inserts = t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demo.id));
    expect(inserts.length).toBe(2);
    expect(new Set(inserts.map((r) => r.requestId)).size).toBe(1);
    expect(vmsOf(demo.id)).toHaveLength(1);
    await eventually(
      () => statusDm(t, demo).text,
      (s) => s.includes('ready'),
    );
  });

  test('a 503 while waiting on the operation is retried and the launch completes', async () => {
    const user = 'U_ADMIN';
    t.sim.setTiming({ operationMs: 50 });
    t.sim.injectFault({ method: 'zoneOperations.wait', kind: 'backend', times: 2 });
    try {
      await launchFromCatalog(t, user, 'linux-dev-box');
      const demo = await demoInState(t, user, 'running', 'ready');
      expect(vmsOf(demo.id)).toHaveLength(1);
      expect(t.sim.requests.filter((r) => r.method === 'zoneOperations.wait' && r.status === 503).length).toBe(2);
    } finally {
      t.sim.setTiming({ operationMs: 0 });
    }
  });

  test('quota exceeded on insert: told plainly, demo failed with the reason, nothing left behind', async () => {
    const user = 'U_CAROL';
    t.sim.injectFault({ method: 'instances.insert', kind: 'quota', times: 1 });
    await launchFromCatalog(t, user, 'crm-demo');
    const demo = await demoInState(t, user, 'failed');
    expect(demo.failure_reason).toMatch(/quota/i);
    expect(demo.failure_reason).toMatch(/CPUS/);
    expect(vmsOf(demo.id)).toHaveLength(0);
    const dm = await eventually(
      () => statusDm(t, demo),
      (m) => m.text.includes('could not be launched'),
    );
    expect(blockText(dm.blocks ?? [])).toContain('out of quota');
    expect(await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute()).toHaveLength(0);
  });

  test('a stockout offers other zones; one click launches there', async () => {
    const user = 'U_DAVE';
    t.sim.injectOperationError({ method: 'instances.insert', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', times: 1 });
    await launchFromCatalog(t, user, 'retail-storefront');
    const failed = await demoInState(t, user, 'failed');
    expect(failed.failure_kind).toBe('stockout');
    expect(vmsOf(failed.id)).toHaveLength(0);
    const dm = await eventually(
      () => statusDm(t, failed),
      (m) => blockText(m.blocks ?? []).includes('demos.retry_zone'),
    );
    const zone = t.config.gce.zones.find((z) => z !== failed.zone)!;
    await t.slack.action({ user, on: { channel: dm.channel, messageTs: dm.ts }, actionId: `demos.retry_zone.${zone}` });
    const retried = await demoInState(t, user, 'running', 'ready');
    expect(retried.id).not.toBe(failed.id);
    expect(retried.zone).toBe(zone);
    expect(vmsOf(retried.id)).toHaveLength(1);
    // A second click on the same button does not launch twice. Its answer (posted to the response_url
    // once the launch call returned) says it is done, and names the same instance.
    const mark = t.fake.mark();
    await t.slack.action({ user, on: { channel: dm.channel, messageTs: dm.ts }, actionId: `demos.retry_zone.${zone}` });
    const answer = await t.fake.waitFor('response_url', (c) => String(c.args['text']).includes('Trying again'), { after: mark, timeoutMs: 15_000 });
    expect(String(answer.args['text'])).toContain(retried.display_name);
    expect((await demoRows(t, user)).filter((d) => d.zone === zone)).toHaveLength(1);
  });

  test('bad input gets a helpful ephemeral reply', async () => {
    const user = 'U_ALICE';
    await t.slack.command({ user, text: 'launch' });
    expect((await eventually(() => t.fake.ephemerals(user).at(-1)))!.text).toContain('Say which image');

    // An unknown image is answered where the user typed (with a Browse button), never in a modal.
    const before = openViewIds(t, user);
    await t.slack.command({ user, text: 'launch no-such-image' });
    const answer = await eventually(
      () => t.fake.ephemerals(user).at(-1),
      (e) => !!e?.text?.includes('no-such-image'),
    );
    expect(blockText(answer!.blocks ?? [])).toContain('Browse');
    expect(openViewIds(t, user)).toEqual(before);

    // A private image of someone else cannot be launched, even by id.
    const privateId = await imageIdOf(t, 'crm-demo');
    await t.db.updateTable('images').set({ visibility: 'private', owner_id: 'U_BOB' }).where('id', '=', privateId).execute();
    try {
      const { launch } = await import('../../src/demos/service.ts');
      await expect(
        launch(t.app.ctx, await t.app.ctx.actor(user), {
          imageId: privateId,
          zone: t.config.gce.defaultZone,
          machineType: t.config.gce.defaultMachineType,
          ttlHours: 2,
          submissionKey: 'x',
        }),
      ).rejects.toThrow(/private/);
    } finally {
      await t.db.updateTable('images').set({ visibility: 'official', owner_id: null }).where('id', '=', privateId).execute();
    }
  });
});
