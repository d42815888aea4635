import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { insertDemo } from '../accounting/fixtures.ts';
import { audit, catalogImageId as imageId, demoIds, ephemeralSaying, launchDemo, statusMessage, text } from './helpers.ts';

/**
 * The warm pool on the instant simulator: an admin pools an image, the worker makes suspended clones,
 * a launch resumes one (no insert of its own), the pool refills; versions, the cap, the budget and
 * GCE's suspension limit each change what the pool holds.
 */

const poolVms = (t: TestApp, state?: string) => {
  let q = t.db.selectFrom('pool_vms').selectAll();
  if (state) q = q.where('state', '=', state as 'ready');
  return q.orderBy('created_at').execute();
};
const suspendedPoolVms = (t: TestApp, image: string) => t.sim.instances.filter((i) => i.labels?.['pool-image'] === image && i.status === 'SUSPENDED');
const readyCount = async (t: TestApp, image: string) => (await poolVms(t, 'ready')).filter((v) => v.image_id === image).length;
const tick = (t: TestApp, task: string, now: Date) => t.app.scheduler.tasks.find((x) => x.name === task)!.tick(now);

async function pool(t: TestApp, words: string, expectText: string) {
  await t.slack.command({ user: 'U_ADMIN', text: `admin pool ${words}` });
  return ephemeralSaying(t, 'U_ADMIN', expectText);
}

describe('warm pool: take, refill, fall back, follow versions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '2', POOL_MAX_VMS: '2' } });
  });
  afterAll(async () => t?.close());

  test('an admin pools an image: two clones are made, booted until the app answers, then suspended', async () => {
    await t.slack.command({ user: 'U_ALICE', text: 'admin pool crm 2' });
    await ephemeralSaying(t, 'U_ALICE', 'admin');
    expect(await poolVms(t)).toHaveLength(0);

    const answer = await pool(t, 'acme crm 2', 'keeps 2 suspended clones ready');
    expect(answer.text).toContain('Acme CRM');
    const crm = await imageId(t, 'crm-demo');
    await eventually(
      () => readyCount(t, crm),
      (n) => n === 2,
      20_000,
    );
    const vms = suspendedPoolVms(t, crm);
    expect(vms).toHaveLength(2);
    for (const vm of vms) {
      expect(vm.labels).toMatchObject({ 'managed-by': 'demo-vm', purpose: 'pool', 'pool-image': crm });
      expect(vm.labels?.['owner']).toBeUndefined();
      // Booted until the app answered, then suspended: the simulator served the VM's app page first.
      expect(t.sim.appRequests.some((r) => r.vm.endsWith(`/${vm.name}`))).toBe(true);
    }
    const rows = await poolVms(t, 'ready');
    expect(rows.every((r) => r.disk_gb !== null && r.memory_mb === 4096 && r.suspended_at !== null)).toBe(true);
    expect(await audit(t, 'image.pool', crm)).toHaveLength(1);
  });

  test('an image whose pool is empty (the global cap is reached) is cloned as before; the fleet shows the pools', async () => {
    await pool(t, 'analytics 2', 'keeps 2 suspended clones ready');
    await tick(t, 'warm-pool', new Date());
    expect(await poolVms(t, 'warming')).toHaveLength(0); // POOL_MAX_VMS=2: the CRM pool holds both
    const demo = await launchDemo(t, 'U_DAVE', 'analytics-dashboard');
    expect(demo.from_pool).toBe(false);
    expect(t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demo.id))).toHaveLength(1);
    await eventually(
      () => text(statusMessage(t, demo).blocks),
      (b) => b.includes('Cloned from its image: ready in'),
    );
    await t.slack.command({ user: 'U_ADMIN', text: 'admin fleet' });
    const fleet = await ephemeralSaying(t, 'U_ADMIN', 'live demo');
    expect(text(fleet.blocks ?? [])).toContain('*Analytics dashboard*: 0 ready, 0 warming of 2');
    expect(text(fleet.blocks ?? [])).toContain('*Acme CRM*: 2 ready, 0 warming of 2');
  });

  test('a pooled launch resumes a suspended clone instead of creating one; the labels move to the user; the pool refills', async () => {
    const inserts = t.sim.requestsFor('instances.insert').length;
    const ready = (await poolVms(t, 'ready')).map((v) => v.instance_name);
    const demo = await launchDemo(t, 'U_BOB');
    expect(demo.from_pool).toBe(true);
    expect(ready).toContain(demo.instance_name);
    const vm = t.sim.instance(demo.zone, demo.instance_name)!;
    expect(vm.status).toBe('RUNNING');
    expect(vm.labels).toEqual({ 'managed-by': 'demo-vm', 'demo-id': demo.id, owner: 'u_bob' });
    expect(t.sim.requestsFor('instances.resume').filter((r) => r.path.includes(`/instances/${demo.instance_name}/`))).toHaveLength(1);
    // The launch inserted nothing: any insert since is the refill's, labelled purpose=pool.
    const since = t.sim.requestsFor('instances.insert').slice(inserts);
    expect(since.every((r) => JSON.stringify(r.body).includes('"purpose":"pool"'))).toBe(true);
    expect((await t.db.selectFrom('pool_vms').selectAll().where('demo_id', '=', demo.id).executeTakeFirstOrThrow()).state).toBe('taken');
    // The user's time starts at the hand-out, in one open interval.
    const intervals = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
    expect(intervals).toHaveLength(1);
    const dm = await eventually(
      () => statusMessage(t, demo),
      (m) => text(m.blocks).includes('From the warm pool: ready in'),
    );
    expect(text(dm.blocks)).toContain('Open the app');
    // Refilled up to the cap again (the free place goes to a pooled image that is short).
    await eventually(
      async () => (await poolVms(t, 'ready')).length,
      (n) => n === 2,
      20_000,
    );
  });

  test('a newer version replaces a pooled image: its pool moves to the new one and the old clones are deleted', async () => {
    const crm = await imageId(t, 'crm-demo');
    const dash = await imageId(t, 'analytics-dashboard');
    await pool(t, 'analytics off', 'no longer pooled');
    await eventually(
      async () => (await poolVms(t, 'ready')).filter((v) => v.image_id === dash).length + suspendedPoolVms(t, dash).length,
      (n) => n === 0,
      20_000,
    );
    await eventually(
      () => readyCount(t, crm),
      (n) => n === 2,
      20_000,
    );
    const old = (await poolVms(t, 'ready')).map((v) => v.instance_name);
    t.sim.addMachineImage({
      name: 'crm-demo-v2',
      description: 'Acme CRM\nVersion 2.',
      labels: { 'demo-vm-catalog': 'true', 'app-scheme': 'http', 'app-port': '8080', 'app-path': '-crm-login', replaces: 'crm-demo' },
      machineType: 'e2-medium',
      sourceInstance: 'https://www.googleapis.com/compute/v1/projects/demo-project/zones/us-central1-a/instances/crm-golden-v2',
    });
    await tick(t, 'catalog-sync', new Date(Date.now() + 3_600_000));
    expect(await t.db.selectFrom('images').select('id').where('gce_name', '=', 'crm-demo').where('deleted_at', 'is', null).execute()).toHaveLength(0);
    const v2 = await imageId(t, 'crm-demo-v2');
    await tick(t, 'warm-pool', new Date(Date.now() + 3_600_000));
    await eventually(
      () => old.filter((name) => t.sim.instances.some((i) => i.name === name)),
      (left) => left.length === 0,
      20_000,
    );
    // Each deletion asks for a refill: the new version's clones take the places the old ones left.
    await eventually(
      () => readyCount(t, v2),
      (n) => n === 2,
      20_000,
    );
    expect(await t.db.selectFrom('pool_sizes').select(['image_id', 'size']).where('size', '>', 0).execute()).toEqual([{ image_id: v2, size: 2 }]);
  });
});

describe('warm pool: a clone suspended near GCE’s limit is made anew; a spent pool budget stops refills', () => {
  let t: TestApp;
  // One clock for the app and the simulator: GCE's lastSuspendedTimestamp is what the pool reads.
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '2', POOL_REFRESH_DAYS: '30', POOL_MONTHLY_BUDGET_USD: '1' } });
  });
  afterAll(async () => t?.close());

  test('after 30 days suspended the clones are deleted and replaced; once the month’s pool cost passes the budget, nothing is refilled', async () => {
    const crm = await imageId(t, 'crm-demo');
    await pool(t, 'crm-demo 2', 'keeps 2 suspended clones ready');
    await eventually(
      () => readyCount(t, crm),
      (n) => n === 2,
      20_000,
    );
    const first = (await poolVms(t, 'ready')).map((v) => v.instance_name);

    // 30 days and an hour suspended, at the start of a month (the month's pool cost is still small): made anew.
    clock.set('2026-04-01T10:00:00Z');
    await tick(t, 'warm-pool', clock.now());
    await eventually(
      async () => (await poolVms(t, 'ready')).map((v) => v.instance_name),
      (names) => names.length === 2 && names.every((n) => !first.includes(n)),
      20_000,
    );
    await eventually(
      () => first.filter((name) => t.sim.instances.some((i) => i.name === name)),
      (left) => left.length === 0,
      20_000,
    );
    const retired = await t.db.selectFrom('pool_vms').select('retire_reason').where('instance_name', 'in', first).execute();
    expect(retired.map((r) => r.retire_reason)).toEqual([expect.stringContaining("GCE's 60-day limit"), expect.stringContaining("GCE's 60-day limit")]);

    // At the end of the month two clones have been suspended for 29 days: the pool has cost more than USD 1.
    clock.set('2026-04-30T20:00:00Z');
    await pool(t, 'crm-demo 3', 'keeps 3 suspended clones ready');
    await tick(t, 'warm-pool', clock.now());
    expect(await poolVms(t, 'warming')).toHaveLength(0);
    expect(await readyCount(t, crm)).toBe(2);
    await t.slack.command({ user: 'U_ADMIN', text: 'admin fleet' });
    const fleet = await ephemeralSaying(t, 'U_ADMIN', 'live demo');
    expect(text(fleet.blocks ?? [])).toContain('Pool budget reached: nothing is refilled until next month');
    expect(await demoIds(t)).toEqual(new Set());
  });
});

describe('warm pool: a size that follows demand', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-03-16T09:00:00Z');
  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '2' } });
  });
  afterAll(async () => t?.close());

  test('`auto`: as many clones as a day’s launches over the last two weeks (30 launches → 3), up to 5', async () => {
    const retail = await imageId(t, 'retail-storefront');
    for (let i = 0; i < 30; i++) {
      const start = Date.parse('2026-03-03T08:00:00Z') + i * 10 * 3_600_000;
      const hour = [new Date(start).toISOString(), new Date(start + 3_600_000).toISOString()] as [string, string];
      await insertDemo(t, { owner: 'U_ERIN', imageId: retail, state: 'deleted', intervals: [hour] });
    }
    await insertDemo(t, { owner: 'U_ERIN', imageId: retail, state: 'deleted', intervals: [['2026-02-20T08:00:00Z', '2026-02-20T09:00:00Z']] }); // older: not counted
    await pool(t, 'retail auto', 'follows demand');
    await eventually(
      () => readyCount(t, retail),
      (n) => n === 3,
      20_000,
    );
    await tick(t, 'warm-pool', clock.now());
    expect(await poolVms(t)).toHaveLength(3);
    await t.slack.command({ user: 'U_ADMIN', text: 'admin pool' });
    const shown = await ephemeralSaying(t, 'U_ADMIN', 'Warm pools');
    expect(shown.text).toContain('*Retail storefront*: 3 ready, 0 warming of up to 5 (following demand)');
  });

  test('an image GCE cannot keep suspended: the clone is deleted and the pool turned off, with the reason for the admin', async () => {
    const dev = await imageId(t, 'linux-dev-box');
    const refusal = 'Instances with more than 208 GB of memory cannot be suspended.';
    t.sim.injectOperationError({ method: 'instances.suspend', code: 'INVALID_USAGE', message: refusal, times: 1 });
    await pool(t, 'linux dev 2', 'keeps 2 suspended clones ready');
    await eventually(
      () => t.db.selectFrom('pool_sizes').select(['size', 'stopped_reason']).where('image_id', '=', dev).executeTakeFirstOrThrow(),
      (p) => p.size === 0 && (p.stopped_reason ?? '').includes(refusal),
      20_000,
    );
    // Its other clone (warming or ready) is let go as well: nothing of the pool is left.
    await tick(t, 'warm-pool', clock.now());
    await eventually(
      async () => (await poolVms(t)).filter((v) => v.image_id === dev && v.state !== 'gone').length,
      (n) => n === 0,
      20_000,
    );
    expect(t.sim.instances.filter((i) => i.labels?.['pool-image'] === dev)).toEqual([]);
    await t.slack.command({ user: 'U_ADMIN', text: 'admin pool' });
    const shown = await ephemeralSaying(t, 'U_ADMIN', 'turned off');
    expect(shown.text).toContain(`*Linux dev box*: turned off, GCE refused the request: ${refusal}`);
  });
});
