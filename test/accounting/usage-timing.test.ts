import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { clickOnStatusDm, demoInState, launchFromCatalog, statusDm } from '../harness/flows.ts';
import { DIGEST_SYNC_TASK, digestTaskName } from '../../src/accounting/digest-tasks.ts';
import { ask, intervalsOf, reconcileOnce, task } from './fixtures.ts';

/**
 * Usage is timed by GCE's own timestamps (lastStartTimestamp, lastStopTimestamp), not by when a job
 * got round to seeing the VM change. The simulator and the app share one driven clock; a job is held
 * back from finishing (GCE answers every operation wait with 503) while the clock moves on, as when
 * the app is down for a while in the middle of a launch or a stop.
 */
describe('usage timed by GCE', () => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let t: TestApp;

  const intervals = (demoId: string) => intervalsOf(t, demoId);
  const reconcileAt = (iso: string) => reconcileOnce(t, clock, iso);
  /** The demo's one interval as the app's clock would have written it. */
  const rewriteLedger = (demoId: string, set: { started_at?: Date; ended_at?: Date }) =>
    t.db.updateTable('usage_intervals').set(set).where('demo_id', '=', demoId).execute();
  const vmOf = (demo: { zone: string; instance_name: string }) => t.sim.instance(demo.zone, demo.instance_name);
  /** Until `release`, the job cannot learn that its operation is done. */
  const holdOperationWaits = () => t.sim.injectFault({ method: 'zoneOperations.wait', kind: 'backend', times: Infinity });
  const release = () => t.sim.clearFaults();

  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('a launch that sees its VM running 94 s late charges from the VM’s lastStartTimestamp', async () => {
    holdOperationWaits();
    await launchFromCatalog(t, 'U_ALICE', 'crm-demo');
    const demo = await demoInState(t, 'U_ALICE', 'provisioning');
    const vm = await eventually(
      () => vmOf(demo),
      (v) => v?.status === 'RUNNING',
    );
    expect(vm!.lastStartTimestamp).toBe('2026-03-02T01:00:00.000-08:00'); // GCE's format: Pacific time, with its offset
    clock.advance(94_000);
    release();

    const running = await demoInState(t, 'U_ALICE', 'running', 'ready');
    expect(await intervals(running.id)).toMatchObject([{ started_at: new Date('2026-03-02T09:00:00Z'), ended_at: null }]);
  });

  test('a stop the app learns of 81 s late closes at the VM’s lastStopTimestamp', async () => {
    clock.set('2026-03-02T10:00:00Z');
    await launchFromCatalog(t, 'U_BOB', 'crm-demo');
    const demo = await demoInState(t, 'U_BOB', 'running', 'ready');
    await eventually(
      () => statusDm(t, demo).text,
      (s) => s.includes('ready'),
    );

    clock.set('2026-03-02T10:20:00Z');
    holdOperationWaits();
    await clickOnStatusDm(t, 'U_BOB', demo, 'demos.stop');
    await eventually(
      () => vmOf(demo)?.status,
      (s) => s === 'TERMINATED',
    );
    clock.advance(81_000);
    release();

    await demoInState(t, 'U_BOB', 'stopped', 'idle');
    expect(new Date(vmOf(demo)!.lastStopTimestamp!)).toEqual(new Date('2026-03-02T10:20:00Z'));
    expect(await intervals(demo.id)).toMatchObject([{ started_at: new Date('2026-03-02T10:00:00Z'), ended_at: new Date('2026-03-02T10:20:00Z') }]);
  });

  test('the reconciler moves app-timed intervals to GCE’s times and adds a run the app never saw', async () => {
    clock.set('2026-03-02T11:00:00Z');
    await launchFromCatalog(t, 'U_CAROL', 'crm-demo');
    const demo = await demoInState(t, 'U_CAROL', 'running', 'ready');
    // The readiness probe has had its say (a demo changed meanwhile is left for the next round).
    await eventually(
      async () => (await t.db.selectFrom('demos').select('app_ready').where('id', '=', demo.id).executeTakeFirstOrThrow()).app_ready,
      (ready) => ready !== null,
    );
    // As a ledger timed by the app would have it after an outage: started 94 s late.
    await rewriteLedger(demo.id, { started_at: new Date('2026-03-02T11:01:34Z') });
    await reconcileAt('2026-03-02T11:05:00Z');
    expect(await intervals(demo.id)).toMatchObject([{ started_at: new Date('2026-03-02T11:00:00Z'), ended_at: null }]);

    clock.set('2026-03-02T11:10:00Z');
    await clickOnStatusDm(t, 'U_CAROL', demo, 'demos.stop');
    await demoInState(t, 'U_CAROL', 'stopped', 'idle');
    // …and closed 81 s late.
    await rewriteLedger(demo.id, { ended_at: new Date('2026-03-02T11:11:21Z') });
    await reconcileAt('2026-03-02T11:15:00Z');
    expect(await intervals(demo.id)).toMatchObject([{ started_at: new Date('2026-03-02T11:00:00Z'), ended_at: new Date('2026-03-02T11:10:00Z') }]);

    // Started and stopped again in the Cloud Console between two looks.
    clock.set('2026-03-02T11:16:00Z');
    t.sim.setInstanceStatus(demo.zone, demo.instance_name, 'RUNNING');
    clock.set('2026-03-02T11:19:30Z');
    t.sim.stopInstanceNow(demo.zone, demo.instance_name);
    await reconcileAt('2026-03-02T11:20:00Z');
    await reconcileAt('2026-03-02T11:25:00Z'); // nothing more to do
    expect(await intervals(demo.id)).toMatchObject([
      { started_at: new Date('2026-03-02T11:00:00Z'), ended_at: new Date('2026-03-02T11:10:00Z'), source: 'app' },
      { started_at: new Date('2026-03-02T11:16:00Z'), ended_at: new Date('2026-03-02T11:19:30Z'), source: 'reconciler', estimated: false },
    ]);
    const audit = await t.db.selectFrom('audit_log').select('action').where('resource_id', '=', demo.id).where('action', 'like', 'demo.drift.%').execute();
    expect(audit.map((a) => a.action)).toEqual(['demo.drift.retimed', 'demo.drift.retimed', 'demo.drift.retimed']);
  });

  test('a VM deleted outside the app while it was down: charged to its last sighting plus one reconcile period, marked estimated, and the digest says so', async () => {
    clock.set('2026-03-02T12:00:00Z');
    await launchFromCatalog(t, 'U_DAVE', 'crm-demo');
    const demo = await demoInState(t, 'U_DAVE', 'running', 'ready');
    await reconcileAt('2026-03-02T12:30:00Z'); // seen running
    expect(t.sim.deleteInstanceNow(demo.zone, demo.instance_name)).toBe(true);

    await reconcileAt('2026-03-02T14:00:00Z'); // the first look after a long outage
    expect(await intervals(demo.id)).toMatchObject([
      {
        started_at: new Date('2026-03-02T12:00:00Z'),
        ended_at: new Date('2026-03-02T12:35:00Z'),
        last_seen_at: new Date('2026-03-02T12:30:00Z'),
        estimated: true,
      },
    ]);
    expect(await t.db.selectFrom('demos').select('state').where('id', '=', demo.id).executeTakeFirst()).toEqual({ state: 'deleted' });

    const done = await ask(t, 'U_ADMIN', 'digest subscribe <#C_RANDOM|random> daily 09:00');
    expect(done.text).toContain('Subscribed');
    await task(t, DIGEST_SYNC_TASK).tick(clock.now());
    const sub = await t.db.selectFrom('digest_subscriptions').select('id').where('channel_id', '=', 'C_RANDOM').executeTakeFirstOrThrow();
    clock.set('2026-03-03T09:00:00Z');
    await task(t, digestTaskName(sub.id)).tick(clock.now());
    const digest = await eventually(() => t.fake.history('C_RANDOM').find((m) => m.metadata?.event_type === 'demo_vm_digest'), Boolean);
    const text = JSON.stringify(digest!.blocks);
    expect(text).toContain('1 interval (0.6 h) is estimated');
    expect(text).toContain(`\`${demo.display_name}\` (<@U_DAVE>, 0.6 h)`);
  });
  test('with the app down, GCE stops a demo at its run limit; the app coming back closes usage at GCE’s stop time', async () => {
    clock.set('2026-03-04T09:00:00Z');
    await launchFromCatalog(t, 'U_ERIN', 'crm-demo');
    const demo = await demoInState(t, 'U_ERIN', 'running', 'ready');
    await reconcileAt('2026-03-04T09:05:00Z');
    const seconds = Number(vmOf(demo)!.scheduling.maxRunDuration?.seconds);
    expect(vmOf(demo)!.scheduling.instanceTerminationAction).toBe('STOP');
    expect(seconds).toBeGreaterThan(0);

    // Nothing of the app runs over the weekend (no sweep, no reconcile): GCE alone stops the VM.
    const limit = new Date(Date.parse('2026-03-04T09:00:00Z') + seconds * 1000);
    clock.set(new Date(limit.getTime() + 3 * 3_600_000).toISOString());
    t.sim.enforceRunLimits();
    expect(vmOf(demo)).toMatchObject({ status: 'TERMINATED' });
    expect(Date.parse(vmOf(demo)!.lastStopTimestamp!)).toBe(limit.getTime());

    await reconcileAt(new Date(limit.getTime() + 4 * 3_600_000).toISOString());
    expect(await intervals(demo.id)).toMatchObject([{ started_at: new Date('2026-03-04T09:00:00Z'), ended_at: limit }]);
    expect(await t.db.selectFrom('demos').select('state').where('id', '=', demo.id).executeTakeFirst()).toEqual({ state: 'stopped' });
  });
});
