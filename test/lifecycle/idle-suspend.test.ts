import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IdleJobs } from '../../src/demos/idle-ids.ts';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { audit, demoRow, dmSaying, launchDemo, newView, openViews, settledDm, text, viewSaying, waitDemo } from './helpers.ts';

/**
 * Idle suspension on one driven timeline (the app, the GCE simulator and its Monitoring fake share a
 * ManualClock; the idle check is ticked minute by minute): six demos, each showing one behaviour.
 */

const at = (hhmm: string) => `2026-03-02T${hhmm}:00Z`;
const minutes = (from: string, to: string) => {
  const out: string[] = [];
  for (let m = Date.parse(at(from)); m <= Date.parse(at(to)); m += 60_000) out.push(new Date(m).toISOString().slice(11, 16));
  return out;
};

const warnings = (t: TestApp, user: string) => t.fake.messages(user).filter((m) => m.metadata?.event_type === 'demo_vm_idle_warning');

describe('idle demos are warned, then suspended; Resume brings them back', () => {
  let t: TestApp;
  const clock = new ManualClock(at('09:00'));
  const demos: Record<string, Awaited<ReturnType<typeof launchDemo>>> = {};
  const users = {
    idle: 'U_ALICE',
    reading: 'U_BOB',
    kept: 'U_CAROL',
    back: 'U_DAVE',
    gpu: 'U_ERIN',
    deleted: 'U_FRANK',
    handed: 'U_GRACE',
    saver: 'U_MANAGER',
  } as const;

  async function tick(hhmm: string) {
    clock.set(at(hhmm));
    await t.app.scheduler.tasks.find((task) => task.name === 'demo-idle')!.tick(clock.now());
  }
  async function ticks(from: string, to: string) {
    for (const m of minutes(from, to)) await tick(m);
  }
  const plan = (who: keyof typeof users, pattern: 'screen-share' | 'slow-reading' | 'idle-noise', hhmm: string) =>
    t.sim.monitoring.activity.set(demos[who]!.instance_name, pattern, new Date(at(hhmm)));

  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '1', DEMO_TTL_HOURS: '8' } });
    for (const [who, user] of Object.entries(users)) demos[who] = await launchDemo(t, user);
    for (const who of Object.keys(users) as Array<keyof typeof users>) {
      plan(who, 'screen-share', '09:00');
      plan(who, who === 'reading' ? 'slow-reading' : 'idle-noise', '09:10');
    }
    plan('back', 'screen-share', '09:46');
    t.sim.attachGpus(demos.gpu!.zone, demos.gpu!.instance_name);
  }, 120_000);
  afterAll(async () => t?.close());

  test('30 idle minutes → one warning DM (not for the slow reader); activity calls one off; Keep running postpones one', async () => {
    await ticks('09:01', '09:43');
    for (const user of Object.values(users)) expect(warnings(t, user)).toHaveLength(0);
    // Last busy minute ended 09:10; the data are complete to now − 240 s: idle 30 min at 09:44.
    await tick('09:44');
    for (const who of ['idle', 'kept', 'back', 'gpu', 'deleted', 'handed', 'saver'] as const) {
      const [w] = await eventually(
        () => warnings(t, users[who]),
        (list) => list.length === 1,
      );
      expect(w!.text).toContain("looks idle; I'll suspend it in 10 min");
      expect(text(w!.blocks)).toContain('demos.keep_running');
    }
    expect(warnings(t, users.reading)).toHaveLength(0);
    expect(await audit(t, 'demo.idle_warning', demos.idle!.id)).toHaveLength(1);

    // Carol presses Keep running on the warning.
    const warning = warnings(t, users.kept)[0]!;
    await t.slack.action({ user: users.kept, on: { channel: warning.channel, messageTs: warning.ts }, actionId: 'demos.keep_running' });
    const [keep] = await eventually(
      () => t.db.selectFrom('idle_keeps').selectAll().where('demo_id', '=', demos.kept!.id).execute(),
      (rows) => rows.length === 1,
    );
    expect(keep).toMatchObject({ user_id: users.kept, owner_id: users.kept, ended_at: null });
    expect(keep!.idle_since.toISOString()).toBe(new Date(at('09:10')).toISOString());
    expect(keep!.pressed_at.toISOString()).toBe(new Date(at('09:44')).toISOString());
    await eventually(
      () => t.fake.message(warning.channel, warning.ts),
      (m) => !!m && (m.text ?? '').includes('kept') && !text(m.blocks).includes('demos.keep_running'),
    );
    expect(await audit(t, 'demo.keep_running', demos.kept!.id)).toHaveLength(1);

    // Dave comes back (screen-share from 09:46): once its minutes are visible, the warning is off.
    await ticks('09:45', '09:53');
    const back = warnings(t, users.back)[0]!;
    const edited = t.fake.message(back.channel, back.ts)!;
    expect(edited.text).toContain('Activity seen on');
    expect(edited.text).toContain("I'll leave it running");
    expect((await demoRow(t, demos.back!.id)).idle_warned_at).toBeNull();
  });

  test('10 min after the warning: suspended (VM SUSPENDED, running interval closed, suspended interval opened), DM with Resume; a GPU VM is stopped instead and the DM says why', async () => {
    await tick('09:54');
    const idle = await waitDemo(t, demos.idle!.id, 'suspended', 'idle');
    expect(t.sim.instance(idle.zone, idle.instance_name)?.status).toBe('SUSPENDED');
    const dm = await dmSaying(t, users.idle, 'so I suspended it');
    expect(text(dm.blocks)).toContain('demos.resume_suspended');
    const runs = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', idle.id).execute();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.ended_at?.toISOString()).toBe(new Date(at('09:54')).toISOString());
    const [suspended] = await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', idle.id).execute();
    expect(suspended).toMatchObject({ user_id: users.idle, ended_at: null, machine_type: idle.machine_type });
    expect(suspended!.started_at.toISOString()).toBe(new Date(at('09:54')).toISOString());
    expect(suspended!.memory_mb).toBeGreaterThan(0);
    expect(suspended!.disk_gb).toBeGreaterThan(0);
    // The status DM offers Resume, Save and Delete; no Start or Stop.
    const status = await settledDm(t, idle.id, 'demos.resume_suspended');
    expect(text(status.blocks)).toContain('Suspended');
    expect(text(status.blocks)).not.toContain('"demos.stop"');
    expect(text(status.blocks)).not.toContain('"demos.start"');
    expect(text(status.blocks)).toContain('"demos.save"');
    // Home offers Resume too.
    await t.slack.homeOpened({ user: users.idle });
    const home = await eventually(
      () => t.fake.home(users.idle),
      (h) => !!h && text(h.blocks).includes('demos.resume_suspended'),
    );
    expect(text(home!.blocks)).toContain('suspended');

    const gpu = await waitDemo(t, demos.gpu!.id, 'stopped', 'idle');
    expect(t.sim.instance(gpu.zone, gpu.instance_name)?.status).toBe('TERMINATED');
    const stoppedDm = await dmSaying(t, users.gpu, 'so I stopped it instead');
    expect(stoppedDm.text).toContain('GCE cannot suspend it');
    expect(stoppedDm.text).toContain('GPUs');
    expect(await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', gpu.id).execute()).toHaveLength(0);
    expect((await t.db.selectFrom('usage_intervals').select('ended_at').where('demo_id', '=', gpu.id).executeTakeFirstOrThrow()).ended_at).not.toBeNull();

    // Kept and came-back demos still run.
    expect((await demoRow(t, demos.kept!.id)).state).toBe('running');
    expect((await demoRow(t, demos.back!.id)).state).toBe('running');
    await waitDemo(t, demos.deleted!.id, 'suspended', 'idle');
  });

  test("Hand-over works from suspended: the suspended time until then is the old owner's, from then the new one's", async () => {
    const handed = await waitDemo(t, demos.handed!.id, 'suspended', 'idle');
    clock.set(at('09:55'));
    await t.slack.command({ user: users.handed, text: `transfer ${handed.instance_name} <@U_HEIDI|heidi>` });
    await eventually(
      () => demoRow(t, handed.id),
      (d) => d.owner_id === 'U_HEIDI',
    );
    const rows = await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', handed.id).orderBy('started_at').execute();
    expect(rows.map((r) => [r.user_id, r.started_at.toISOString(), r.ended_at?.toISOString() ?? null])).toEqual([
      [users.handed, new Date(at('09:54')).toISOString(), new Date(at('09:55')).toISOString()],
      ['U_HEIDI', new Date(at('09:55')).toISOString(), null],
    ]);
    expect((await demoRow(t, handed.id)).state).toBe('suspended');
  });

  test('Save from suspended resumes the VM first and says so; then Save opens as for a running demo', async () => {
    const saver = await waitDemo(t, demos.saver!.id, 'suspended', 'idle');
    const dm = await settledDm(t, saver.id, 'demos.resume_suspended');
    await t.slack.action({ user: users.saver, on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save' });
    await viewSaying(t, users.saver, 'I am resuming it first');
    await waitDemo(t, saver.id, 'running', 'ready');
    await dmSaying(t, users.saver, 'is running again');
    const views = openViews(t, users.saver);
    const running = await settledDm(t, saver.id, 'demos.stop');
    await t.slack.action({ user: users.saver, on: { channel: running.channel, messageTs: running.ts }, actionId: 'demos.save' });
    await newView(t, users.saver, 'demos.save_view', views);
  });

  test('Delete works from suspended and closes the suspended interval', async () => {
    const dm = await settledDm(t, demos.deleted!.id, 'demos.resume_suspended');
    await t.slack.action({ user: users.deleted, on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.delete' });
    const gone = await waitDemo(t, demos.deleted!.id, 'deleted', 'idle');
    expect(t.sim.instance(gone.zone, gone.instance_name)).toBeUndefined();
    const [row] = await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', gone.id).execute();
    expect(row!.ended_at?.toISOString()).toBe(new Date(at('09:55')).toISOString());
  });

  test('slow reading is never suspended (90 min); a kept demo is warned again one idle period after the press, and its keep ends when it is suspended', async () => {
    await ticks('09:55', '10:17');
    expect(warnings(t, users.kept)).toHaveLength(1);
    // Pressed at 09:44 (activity then): idle 30 min once the data reach 10:14, at 10:18.
    await tick('10:18');
    await eventually(
      () => warnings(t, users.kept),
      (list) => list.length === 2,
    );
    await ticks('10:19', '10:28');
    await waitDemo(t, demos.kept!.id, 'suspended', 'idle');
    const [keep] = await t.db.selectFrom('idle_keeps').selectAll().where('demo_id', '=', demos.kept!.id).execute();
    expect(keep!.ended_at?.toISOString()).toBe(new Date(at('10:28')).toISOString());

    await ticks('10:29', '10:40');
    expect(warnings(t, users.reading)).toHaveLength(0);
    expect((await demoRow(t, demos.reading!.id)).state).toBe('running');
    // Two queries a minute in all (one per metric), never one per VM.
    const last = t.sim.monitoring.requests.filter((r) => r.at.getTime() === Date.parse(at('10:40')));
    expect(last).toHaveLength(2);
  });

  test('Resume is one click: running again, a new usage interval, the current IP in the DM, expiry pushed back by the time suspended', async () => {
    clock.set(at('10:41'));
    const before = await demoRow(t, demos.idle!.id);
    t.sim.setNewIpOnResume(true); // an ephemeral external IP may change on resume
    const dm = await dmSaying(t, users.idle, 'so I suspended it');
    await t.slack.action({ user: users.idle, on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.resume_suspended' });
    const resumed = await waitDemo(t, demos.idle!.id, 'running', 'ready');
    expect(t.sim.instance(resumed.zone, resumed.instance_name)?.status).toBe('RUNNING');
    const runs = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', resumed.id).orderBy('started_at').execute();
    expect(runs).toHaveLength(2);
    expect(runs[1]!.ended_at).toBeNull();
    expect(runs[1]!.started_at.toISOString()).toBe(new Date(at('10:41')).toISOString());
    const [suspended] = await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', resumed.id).execute();
    expect(suspended!.ended_at?.toISOString()).toBe(new Date(at('10:41')).toISOString());
    // Suspended 09:54 → 10:41: the time to live paused for 47 minutes.
    expect(resumed.expires_at.getTime() - before.expires_at.getTime()).toBe(47 * 60_000);
    const ip = t.sim.instance(resumed.zone, resumed.instance_name)!.networkInterfaces[0]!.accessConfigs[0]!.natIP!;
    const back = await dmSaying(t, users.idle, 'is running again');
    expect(back.text).toContain(`External IP now: \`${ip}\``);
    expect(resumed.external_ip).toBe(ip);
    expect(ip).not.toBe(before.external_ip);
    expect(await audit(t, 'demo.resume', resumed.id)).toHaveLength(1);
  });

  test('retention treats a suspended demo as a stopped one: suspended 14 days, its owner is warned before it is deleted', async () => {
    clock.set('2026-03-20T10:07:00Z');
    await t.app.scheduler.tasks.find((task) => task.name === 'demo-retention')!.tick(clock.now());
    const warning = await eventually(
      () => t.fake.messages('U_HEIDI').filter((m) => m.metadata?.event_type === 'demo_vm_retention_warning'),
      (list) => list.length === 1,
    );
    expect(JSON.stringify(warning[0])).toContain(demos.handed!.id);
    expect((await demoRow(t, demos.handed!.id)).retention_warned_at?.toISOString()).toBe('2026-03-20T10:07:00.000Z');
  });

  test('GCE stops a VM suspended for 60 days: the reconciler makes the demo stopped and ends its suspended time then', async () => {
    const kept = await demoRow(t, demos.kept!.id);
    expect(kept.state).toBe('suspended');
    clock.set('2026-05-01T10:28:00Z'); // 60 days after 10:28 on March 2
    t.sim.enforceSuspendLimits();
    expect(t.sim.instance(kept.zone, kept.instance_name)?.status).toBe('TERMINATED');
    await t.app.scheduler.tasks.find((task) => task.name === 'accounting.reconcile')!.tick(clock.now());
    const stopped = await waitDemo(t, kept.id, 'stopped', 'idle');
    const [row] = await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', stopped.id).execute();
    expect(row!.ended_at?.toISOString()).toBe('2026-05-01T10:28:00.000Z');
    expect(await audit(t, 'demo.drift.stopped', stopped.id)).toHaveLength(1);
  });
});

describe('a click that races the queued suspend wins', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('"Open the app" pressed after the idle period began: the suspend job leaves the demo running and says so', async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    await waitDemo(t, demo.id, 'running', 'ready');
    // The idle check warned at 09:40 (idle since 09:10) and claimed the suspend at 09:50; Alice opened the app at 09:49:50.
    await t.db
      .updateTable('demos')
      .set({
        progress: 'suspending',
        idle_since: new Date('2026-03-02T09:10:00Z'),
        idle_warned_at: new Date('2026-03-02T09:40:00Z'),
        opened_at: new Date('2026-03-02T09:49:50Z'),
      })
      .where('id', '=', demo.id)
      .execute();
    clock.set('2026-03-02T09:50:00Z');
    await t.app.ctx.jobs.send(IdleJobs.suspend, { demoId: demo.id, requestId: randomUUID() });
    const row = await eventually(
      () => demoRow(t, demo.id),
      (d) => d.progress === 'ready',
    );
    expect(row).toMatchObject({ state: 'running', idle_since: null, idle_warned_at: null });
    expect(row.active_at?.toISOString()).toBe('2026-03-02T09:49:50.000Z');
    expect(t.sim.requestsFor('instances.suspend').filter((r) => r.path.includes(demo.instance_name))).toHaveLength(0);
    expect(t.sim.instance(demo.zone, demo.instance_name)?.status).toBe('RUNNING');
    expect(await t.db.selectFrom('suspended_intervals').selectAll().where('demo_id', '=', demo.id).execute()).toHaveLength(0);
  });
});
