import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog } from '../harness/flows.ts';
import { RECONCILE_TASK } from '../../src/demos/reconciler.ts';
import { intervalsOf, reconcileOnce, task } from './fixtures.ts';

/**
 * Drift between the ledger and GCE, made behind the app's back in the simulator, fixed by one tick of
 * the reconcile schedule. Demos are launched through the real flow, so their intervals are the app's.
 */
describe('reconciling the ledger with GCE', () => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let t: TestApp;

  const intervals = (demoId: string) => intervalsOf(t, demoId);
  const reconcileAt = (iso: string) => reconcileOnce(t, clock, iso);
  const launch = async (user: string) => {
    await launchFromCatalog(t, user, 'crm-demo');
    return demoInState(t, user, 'running', 'ready');
  };

  beforeAll(async () => {
    // The sample images have an app; its readiness probe (nothing answers here) should not hold up the restart.
    t = await startTestApp({ clock, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('a VM deleted behind the app: the interval closes at its last sighting plus one reconcile period, estimated; the demo is deleted', async () => {
    const demo = await launch('U_ALICE');
    expect(await intervals(demo.id)).toMatchObject([{ started_at: new Date('2026-03-02T09:00:00Z'), ended_at: null, source: 'app' }]);
    expect(t.sim.deleteInstanceNow(demo.zone, demo.instance_name)).toBe(true);

    await reconcileAt('2026-03-02T10:00:00Z');

    // Seen running when the launch finished (09:00); gone at the next look, which is due within 5 minutes.
    expect(await intervals(demo.id)).toMatchObject([
      { started_at: new Date('2026-03-02T09:00:00Z'), ended_at: new Date('2026-03-02T09:05:00Z'), estimated: true },
    ]);
    const row = await t.db.selectFrom('demos').selectAll().where('id', '=', demo.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'deleted', progress: 'idle' });
    // The owner's status DM says so.
    await eventually(
      () => t.fake.message(row.dm_channel!, row.dm_ts!)?.text ?? '',
      (text) => text.includes('deleted'),
    );
    const audit = await t.db.selectFrom('audit_log').selectAll().where('resource_id', '=', demo.id).where('action', 'like', 'demo.drift.%').execute();
    expect(audit.map((a) => a.action)).toEqual(['demo.drift.deleted']);
  });

  test('stopped outside the app: closed at the stop GCE reports; started outside: a new interval from its start', async () => {
    const demo = await launch('U_BOB');
    t.sim.stopInstanceNow(demo.zone, demo.instance_name);
    t.sim.instance(demo.zone, demo.instance_name)!.lastStopTimestamp = '2026-03-02T10:30:00.000-00:00';

    await reconcileAt('2026-03-02T10:40:00Z');
    expect(await intervals(demo.id)).toMatchObject([{ started_at: new Date('2026-03-02T10:00:00Z'), ended_at: new Date('2026-03-02T10:30:00Z') }]);
    expect(await t.db.selectFrom('demos').select(['state', 'progress']).where('id', '=', demo.id).executeTakeFirst()).toEqual({
      state: 'stopped',
      progress: 'idle',
    });

    t.sim.setInstanceStatus(demo.zone, demo.instance_name, 'RUNNING');
    t.sim.instance(demo.zone, demo.instance_name)!.lastStartTimestamp = '2026-03-02T11:00:00.000-00:00';
    await reconcileAt('2026-03-02T11:10:00Z');
    const after = await intervals(demo.id);
    expect(after).toMatchObject([
      { started_at: new Date('2026-03-02T10:00:00Z'), ended_at: new Date('2026-03-02T10:30:00Z'), source: 'app' },
      { started_at: new Date('2026-03-02T11:00:00Z'), ended_at: null, source: 'reconciler' },
    ]);
    expect(await t.db.selectFrom('demos').select(['state', 'progress']).where('id', '=', demo.id).executeTakeFirst()).toEqual({
      state: 'running',
      progress: 'ready',
    });

    // A restart changes nothing: the open interval carries on, no gap, no second one (only its last sighting moves on).
    await t.restart();
    await reconcileAt('2026-03-02T11:20:00Z');
    await reconcileAt('2026-03-02T11:25:00Z');
    const unseen = (rows: typeof after) => rows.map(({ last_seen_at: _, ...rest }) => rest);
    const now = await intervals(demo.id);
    expect(unseen(now)).toEqual(unseen(after));
    expect(now.at(-1)!.last_seen_at).toEqual(new Date('2026-03-02T11:25:00Z'));
  });

  test('a labelled VM no demo owns is reported to the admins once; export VMs are not', async () => {
    const before = t.fake.messages('U_ADMIN').length;
    t.sim.addInstance({ zone: 'us-central1-b', name: 'stray-demo', labels: { 'managed-by': 'demo-vm', 'demo-id': 'gone', owner: 'u_bob' } });
    t.sim.addInstance({ zone: 'us-central1-b', name: 'export-tmp-1', labels: { 'managed-by': 'demo-vm', purpose: 'export' } });

    await reconcileAt('2026-03-02T12:00:00Z');
    await reconcileAt('2026-03-02T12:05:00Z');

    const dms = t.fake.messages('U_ADMIN').slice(before);
    expect(dms).toHaveLength(1);
    expect(dms[0]!.text).toContain('`stray-demo` in us-central1-b');
    expect(JSON.stringify(dms[0]!.blocks)).toContain('console.cloud.google.com/compute/instancesDetail/zones/us-central1-b/instances/stray-demo');
    expect(JSON.stringify(t.fake.messages('U_ADMIN'))).not.toContain('export-tmp-1');
  });

  test('a slot is reconciled once, whichever replica ticks', async () => {
    clock.set('2026-03-02T13:00:00Z');
    const listCalls = () => t.sim.requests.filter((r) => r.path.includes('/aggregated/instances')).length;
    const calls = listCalls();
    await Promise.all([task(t, RECONCILE_TASK).tick(clock.now()), task(t, RECONCILE_TASK).tick(clock.now())]);
    expect(listCalls() - calls).toBe(1);
  });
});
