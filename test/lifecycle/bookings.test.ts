import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { budgetStatus } from '../../src/budgets/service.ts';
import { hourlyPrice } from '../../src/accounting/store.ts';
import { marginSeconds } from '../../src/demos/booking-plan.ts';
import { cancelBooking } from '../../src/demos/booking.ts';
import { DATA_LATENCY_MS } from '../../src/demos/idle.ts';
import { audit, catalogImageId, demoIds, demoRow, dmSaying, ephemeralSaying, statusMessage, text, waitDemo } from './helpers.ts';

/**
 * Bookings on a driven clock: the app's clock and the simulator's move together, and the bookings
 * task is ticked by hand at chosen instants — so "started before T by the expected duration", "ready
 * by T" and "reminded at T−10 min" are checked against exact times.
 */

const MIN = 60_000;
const tick = (t: TestApp, task: string, now: Date) => t.app.scheduler.tasks.find((x) => x.name === task)!.tick(now);
const insertsFor = (t: TestApp, demoId: string) => t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demoId));
const reminders = (t: TestApp, user: string) => t.fake.messages(user).filter((m) => m.metadata?.event_type === 'demo_vm_booking_reminder');

/** `/demo book …` as `user`; the new booked demo's row and the answer. */
async function book(t: TestApp, user: string, words: string) {
  const before = await demoIds(t, user);
  await t.slack.command({ user, text: `book ${words}` });
  const answer = await ephemeralSaying(t, user, 'Booked');
  const id = await eventually(async () => [...(await demoIds(t, user))].find((d) => !before.has(d)), Boolean);
  return { demo: await demoRow(t, id!), answer };
}

/** Run the bookings task at `at` (the clock moves there first, as cron would see it). */
async function sweepAt(t: TestApp, clock: ManualClock, at: Date) {
  clock.set(at);
  await tick(t, 'demo-bookings', at);
}

describe('a booked demo is started just in time, ready by its time, reminded at T−10 min', () => {
  let t: TestApp;
  // Monday 2 March 2026, 10:00 in Berlin (UTC+1): Alice's "tomorrow 9:00" is 08:00 UTC on the 3rd.
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '1', DEMO_TTL_HOURS: '4' } });
  });
  afterAll(async () => t?.close());

  test('booked for T: the launch starts before T by the expected duration, is ready by T, the DM says so, the reminder comes at T−10 min', async () => {
    const T = new Date('2026-03-03T08:00:00Z');
    const { demo, answer } = await book(t, 'U_ALICE', 'crm-demo tomorrow 9:00');
    expect(answer.text).toContain('Booked');
    expect(text(answer.blocks ?? [])).toContain('Tue 3 Mar 09:00 Europe/Berlin');
    expect(text(answer.blocks ?? [])).toContain('demos.cancel_booking');
    expect(demo.state).toBe('booked');
    expect(demo.ready_by?.toISOString()).toBe(T.toISOString());
    // Its lifetime starts at T, not at booking.
    expect(demo.expires_at.toISOString()).toBe(new Date(T.getTime() + 4 * 3_600_000).toISOString());
    // No history yet: the timing model's figure plus the margin.
    const [booked] = await audit(t, 'demo.book', demo.id);
    const { expectedSeconds, basis } = booked!.after as { expectedSeconds: number; basis: string };
    expect(basis).toBe('model');
    const lead = (expectedSeconds + marginSeconds(expectedSeconds)) * 1000;
    expect(demo.launch_at?.toISOString()).toBe(new Date(T.getTime() - lead).toISOString());

    // Nothing is created, nothing charged, while it waits.
    await sweepAt(t, clock, new Date(T.getTime() - 11 * MIN));
    expect((await demoRow(t, demo.id)).state).toBe('booked');
    expect(insertsFor(t, demo.id)).toHaveLength(0);
    expect(await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute()).toHaveLength(0);
    expect(reminders(t, 'U_ALICE')).toHaveLength(0);

    // The reminder at T−10 min (not opened yet: it is still booked, the launch takes less than 10 minutes), once.
    await sweepAt(t, clock, new Date(T.getTime() - 10 * MIN));
    const reminder = await dmSaying(t, 'U_ALICE', 'in 10 minutes');
    expect(reminder.text).toContain(`<!date^${T.getTime() / 1000}^{time}`);
    expect(text(reminder.blocks)).toContain("I'll DM you the moment it is ready");
    await sweepAt(t, clock, new Date(T.getTime() - 9 * MIN));
    expect(reminders(t, 'U_ALICE')).toHaveLength(1);
    expect((await demoRow(t, demo.id)).state).toBe('booked');

    // The last tick before launch_at starts it: before T by at least the expected duration.
    const startTick = new Date(demo.launch_at!.getTime() - 30_000);
    await sweepAt(t, clock, startTick);
    const running = await waitDemo(t, demo.id, 'running', 'ready');
    expect(insertsFor(t, demo.id)).toHaveLength(1);
    expect(running.launch_at!.getTime()).toBe(startTick.getTime());
    expect(T.getTime() - running.launch_at!.getTime()).toBeGreaterThanOrEqual(expectedSeconds * 1000);
    expect(running.updated_at.getTime()).toBeLessThanOrEqual(T.getTime()); // ready by T
    const [interval] = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
    expect(interval!.started_at.getTime()).toBeGreaterThanOrEqual(startTick.getTime());
    const dm = await eventually(
      async () => statusMessage(t, await demoRow(t, demo.id)),
      (m) => m.text.includes('is ready for your'),
    );
    expect(text(dm.blocks)).toContain(`Ready for your <!date^${T.getTime() / 1000}^{time}`);
    expect(text(dm.blocks)).toContain('Cloud Console');
    // One DM for the launch: the ready one (no progress DM while the owner waits), after the reminder.
    expect(t.fake.messages('U_ALICE').filter((m) => m.metadata?.event_type === 'demo_vm_demo_status')).toHaveLength(1);
    expect(reminders(t, 'U_ALICE')).toHaveLength(1);

    // Ready a few minutes early and unused until T: its idle period counts from T, not from when it was ready.
    const idleWarnings = () => t.fake.messages('U_ALICE').filter((m) => m.metadata?.event_type === 'demo_vm_idle_warning');
    let warnedAt: Date | null = null;
    for (let m = 0; m <= 40 && !warnedAt; m++) {
      const now = new Date(T.getTime() + m * MIN);
      clock.set(now);
      await tick(t, 'demo-idle', now);
      if (idleWarnings().length) warnedAt = now;
    }
    // Monitoring's data are up to 240 s late, so 30 idle minutes from T are known at T + 34 min at the earliest.
    expect(warnedAt!.getTime() - T.getTime()).toBeGreaterThanOrEqual(30 * MIN + DATA_LATENCY_MS);
  });

  test('cancel before start: the booking goes, nothing is ever created at GCE; an opened demo gets no reminder', async () => {
    clock.set('2026-03-02T09:00:00Z');
    const { demo, answer } = await book(t, 'U_BOB', 'crm-demo in 3h');
    expect(demo.ready_by?.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    await t.slack.action({ user: 'U_BOB', on: { channel: answer.channel, ephemeralTs: answer.ts }, actionId: 'demos.cancel_booking', choice: demo.id });
    await waitDemo(t, demo.id, 'cancelled');
    expect(await audit(t, 'demo.cancel_booking', demo.id)).toHaveLength(1);
    await ephemeralSaying(t, 'U_BOB', 'cancelled');
    await sweepAt(t, clock, demo.launch_at!);
    await sweepAt(t, clock, new Date(demo.ready_by!.getTime() - 10 * MIN));
    expect((await demoRow(t, demo.id)).state).toBe('cancelled');
    expect(insertsFor(t, demo.id)).toHaveLength(0);
    expect(reminders(t, 'U_BOB')).toHaveLength(0);

    // Someone else may not cancel a booking of Bob's (an approver or admin may).
    clock.set('2026-03-02T09:00:00Z');
    const second = await book(t, 'U_BOB', 'crm-demo in 3h');
    await expect(cancelBooking(t.app.ctx, await t.app.ctx.actor('U_CAROL'), second.demo.id)).rejects.toThrow("Only the demo's owner");
    expect((await demoRow(t, second.demo.id)).state).toBe('booked');
    // An approver may (a booking holds budget and pool capacity); it is audited under their name.
    await cancelBooking(t.app.ctx, await t.app.ctx.actor('U_MANAGER'), second.demo.id);
    expect((await audit(t, 'demo.cancel_booking', second.demo.id))[0]).toMatchObject({ actor_id: 'U_MANAGER' });
  });

  test('bookings show in Home, `/demo list` and the admin fleet; budgets count a booking’s expected cost when it is booked', async () => {
    clock.set('2026-03-02T09:00:00Z');
    const before = await budgetStatus(t.db, t.config, 'U_DAVE', clock.now());
    const { demo } = await book(t, 'U_DAVE', 'crm-demo wed 14:30');
    const after = await budgetStatus(t.db, t.config, 'U_DAVE', clock.now());
    const price = (await hourlyPrice(t.db, demo.machine_type, demo.zone))!;
    expect(price).toBeGreaterThan(0);
    expect(after.reserved - before.reserved).toBeCloseTo(4 * price, 6);
    expect(after.running).toBe(before.running + 1);

    await t.slack.command({ user: 'U_DAVE', text: 'list' });
    const list = await ephemeralSaying(t, 'U_DAVE', 'demo(s) and 1 booking(s)');
    expect(text(list.blocks ?? [])).toContain('Booked: *Acme CRM*');

    await t.slack.homeOpened({ user: 'U_DAVE' });
    const home = await eventually(
      () => t.fake.home('U_DAVE'),
      (h) => !!h && text(h.blocks).includes('Booked: *Acme CRM*'),
    );
    expect(text(home!.blocks)).toContain('demos.cancel_booking');

    await t.slack.command({ user: 'U_ADMIN', text: 'admin fleet' });
    const fleet = await ephemeralSaying(t, 'U_ADMIN', 'Upcoming bookings');
    expect(text(fleet.blocks ?? [])).toContain('<@U_DAVE>');

    // Cancelled from Home: the reservation is released, and Home no longer shows it.
    await t.slack.action({ user: 'U_DAVE', on: { viewId: home!.id }, actionId: 'demos.cancel_booking', choice: demo.id });
    await waitDemo(t, demo.id, 'cancelled');
    expect((await budgetStatus(t.db, t.config, 'U_DAVE', clock.now())).reserved).toBeCloseTo(before.reserved, 6);
    await eventually(
      () => t.fake.home('U_DAVE'),
      (h) => !!h && !text(h.blocks).includes('Booked: *Acme CRM*'),
    );
  });

  test('a stockout at start time: the owner is told at once, with other zones and another time', async () => {
    clock.set('2026-03-02T09:00:00Z');
    const { demo } = await book(t, 'U_ERIN', 'retail 15:00');
    t.sim.injectOperationError({ method: 'instances.insert', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', times: 1 });
    await sweepAt(t, clock, new Date(demo.launch_at!.getTime() - 30_000));
    const failed = await waitDemo(t, demo.id, 'failed');
    expect(failed.failure_kind).toBe('stockout');
    const dm = await dmSaying(t, 'U_ERIN', 'could not be launched');
    const blocks = text(dm.blocks);
    expect(blocks).toContain('demos.retry_zone.');
    expect(blocks).toContain('Book another time');
    expect(t.sim.instances.filter((i) => i.labels?.['demo-id'] === demo.id)).toHaveLength(0);

    // Out of quota at start: told at once too, with another time.
    const quota = await book(t, 'U_FRANK', 'retail 16:00');
    t.sim.injectFault({ method: 'instances.insert', kind: 'quota', times: 1 });
    await sweepAt(t, clock, new Date(quota.demo.launch_at!.getTime() - 30_000));
    expect((await waitDemo(t, quota.demo.id, 'failed')).failure_kind).toBe('quota');
    const told = await dmSaying(t, 'U_FRANK', 'could not be launched');
    expect(text(told.blocks)).toContain('ask an admin to raise the quota');
    expect(text(told.blocks)).toContain('Book another time');
  });
});

describe('a booking of a pooled image is resumed from the warm pool shortly before its time', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    t = await startTestApp({ clock, gce: { clock }, env: { READINESS_TIMEOUT_SECONDS: '2', POOL_MAX_VMS: '2' } });
  });
  afterAll(async () => t?.close());

  test('pooled: launch_at is a couple of minutes before T, and the demo resumes a suspended clone (no insert of its own)', async () => {
    const crm = await catalogImageId(t, 'crm-demo');
    await t.slack.command({ user: 'U_ADMIN', text: 'admin pool crm-demo 1' });
    await eventually(
      async () => (await t.db.selectFrom('pool_vms').select('state').where('image_id', '=', crm).execute()).filter((v) => v.state === 'ready').length,
      (n) => n === 1,
      20_000,
    );
    const T = new Date('2026-03-02T15:00:00Z'); // 16:00 in Berlin
    const { demo } = await book(t, 'U_ALICE', 'crm-demo today 16:00');
    expect(demo.ready_by?.toISOString()).toBe(T.toISOString());
    const [booked] = await audit(t, 'demo.book', demo.id);
    expect(booked!.after).toMatchObject({ basis: 'pool default', expectedSeconds: 60 });
    expect(demo.launch_at?.toISOString()).toBe(new Date(T.getTime() - 2 * MIN).toISOString());

    await sweepAt(t, clock, new Date(T.getTime() - 3 * MIN));
    expect((await demoRow(t, demo.id)).state).toBe('booked');
    await sweepAt(t, clock, new Date(T.getTime() - 2 * MIN));
    const running = await waitDemo(t, demo.id, 'running', 'ready');
    expect(running.from_pool).toBe(true);
    expect(insertsFor(t, demo.id)).toHaveLength(0);
    expect(t.sim.requestsFor('instances.resume').filter((r) => r.path.includes(`/instances/${running.instance_name}/`))).toHaveLength(1);
    const dm = await eventually(
      async () => statusMessage(t, await demoRow(t, demo.id)),
      (m) => m.text.includes('is ready for your'),
    );
    expect(text(dm.blocks)).toContain('From the warm pool');
  });
});
