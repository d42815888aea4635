import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { appProcessEnv, startAppProcess, type AppProcess } from '../harness/app-process.ts';
import { openViewIds, waitForView } from '../harness/flows.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';

/**
 * A power cut between taking a warm pool VM and relabelling it (the hand-out is committed, the VM still
 * says purpose=pool): the next process finishes the same launch with the same VM. One owner, no clone.
 */
describe('crash safety of a launch from the warm pool', () => {
  let t: TestApp;
  let db: DbHandle;
  const children: AppProcess[] = [];
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
    db = openPostgres(t.database!.url);
  });
  afterAll(async () => {
    for (const c of children) await c.kill().catch(() => {});
    await db?.close();
    await t?.close();
  });

  test('killed after the hand-out, before the relabel: the survivor resumes that VM for that demo', async () => {
    await t.slack.command({ user: 'U_ADMIN', text: 'admin pool crm-demo 1' });
    const ready = await eventually(
      () => db.db.selectFrom('pool_vms').selectAll().where('state', '=', 'ready').execute(),
      (rows) => rows.length === 1,
      20_000,
    );
    await t.stopApp(); // only child processes serve from here on
    const env = appProcessEnv(t, { READINESS_TIMEOUT_SECONDS: '1' });
    const doomed = await startAppProcess({ env, clock: new Date(), crashAt: 'demo.pool:labels.before' });
    children.push(doomed);
    const slack = new InboundSlack(t.fake, `${doomed.url}/slack/events`, TEST_SIGNING_SECRET);
    const before = openViewIds(t, 'U_GRACE');
    await slack.command({ user: 'U_GRACE', text: 'launch crm-demo' });
    await slack.submit({ user: 'U_GRACE', viewId: (await waitForView(t, 'U_GRACE', 'demos.launch', before)).id });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const inserts = t.sim.requestsFor('instances.insert').length;

    const survivor = await startAppProcess({ env, clock: new Date() });
    children.push(survivor);
    try {
      const demo = await eventually(
        () => db.db.selectFrom('demos').selectAll().where('owner_id', '=', 'U_GRACE').executeTakeFirst(),
        (d) => d?.state === 'running' && d.progress === 'ready',
        60_000,
      );
      const vm = ready[0]!.instance_name;
      expect(demo!.instance_name).toBe(vm);
      expect(demo!.from_pool).toBe(true);
      const taken = await db.db.selectFrom('pool_vms').selectAll().where('instance_name', '=', vm).executeTakeFirstOrThrow();
      expect([taken.state, taken.demo_id]).toEqual(['taken', demo!.id]);
      expect(await db.db.selectFrom('demos').select('id').where('instance_name', '=', vm).execute()).toEqual([{ id: demo!.id }]);
      expect(t.sim.instance(demo!.zone, vm)?.labels).toEqual({ 'managed-by': 'demo-vm', 'demo-id': demo!.id, owner: 'u_grace' });
      expect(t.sim.instance(demo!.zone, vm)?.status).toBe('RUNNING');
      // No clone for the demo: inserts since the crash are the refill's own.
      const since = t.sim.requestsFor('instances.insert').slice(inserts);
      expect(since.every((r) => JSON.stringify(r.body).includes('"purpose":"pool"'))).toBe(true);
      expect(t.sim.instances.filter((i) => i.labels?.['demo-id'] === demo!.id)).toHaveLength(1);
    } finally {
      await survivor.stop();
    }
  }, 90_000);
});
