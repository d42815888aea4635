import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { blockActions } from '../harness/slack-requests.ts';
import { audit, demoRow, dmSaying, ephemeralSaying, launchDemo, newView, openViews, savesOf, settledDm, text, waitDemo } from './helpers.ts';

const at = (hhmm: string) => `2026-03-02T${hhmm}:00Z`;

async function sweep(t: TestApp, clock: ManualClock, when: string) {
  clock.set(at(when));
  await t.app.scheduler.tasks.find((task) => task.name === 'demo-leases')!.tick(clock.now());
}

const nudges = (t: TestApp, user: string) => t.fake.messages(user).filter((m) => m.metadata?.event_type === 'demo_vm_expiry_nudge');

describe('time to live: nudge, extend, stop at expiry', () => {
  let t: TestApp;
  const clock = new ManualClock(at('09:00'));
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { DEMO_TTL_HOURS: '2', DEMO_MAX_TTL_HOURS: '5', DEMO_NUDGE_MINUTES: '30', READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('the nudge arrives before expiry, once; a double-clicked Extend moves expiry once; with no answer the VM stops at expiry', async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    expect(demo.expires_at.toISOString()).toBe(new Date(at('11:00')).toISOString());

    await sweep(t, clock, '10:29');
    expect(nudges(t, 'U_ALICE')).toHaveLength(0);
    await sweep(t, clock, '10:31');
    const nudge = await dmSaying(t, 'U_ALICE', 'expires in');
    expect(text(nudge.blocks)).toContain('demos.extend');
    expect(text(nudge.blocks)).toContain('Save & stop');
    expect(text(nudge.blocks)).toContain('Stop now');
    await sweep(t, clock, '10:32');
    expect(nudges(t, 'U_ALICE')).toHaveLength(1);

    // Double click: two payloads of the same button, sent together.
    const click = () => blockActions(t.fake, { user: 'U_ALICE', on: { channel: nudge.channel, messageTs: nudge.ts }, actionId: 'demos.extend' });
    const [a, b] = [click(), click()];
    await Promise.all([t.slack.send(a), t.slack.send(b)]);
    await eventually(
      () => demoRow(t, demo.id),
      (d) => d.expires_at.getTime() === new Date(at('13:00')).getTime(),
    );
    expect(await audit(t, 'demo.extend', demo.id)).toHaveLength(1);
    const answered = await eventually(
      () => t.fake.message(nudge.channel, nudge.ts),
      (m) => !!m && text(m.blocks).includes('now runs until'),
    );
    expect(text(answered!.blocks)).not.toContain('demos.extend');
    // A later sweep inside the old window does nothing: the new expiry is far.
    await sweep(t, clock, '10:45');
    expect((await demoRow(t, demo.id)).state).toBe('running');

    // The second nudge (for the new expiry), unanswered; at expiry the VM is stopped and the interval closed then.
    await sweep(t, clock, '12:31');
    await eventually(
      () => nudges(t, 'U_ALICE'),
      (n) => n.length === 2,
    );
    await sweep(t, clock, '13:00');
    const stopped = await waitDemo(t, demo.id, 'stopped', 'idle');
    expect(t.sim.instance(stopped.zone, stopped.instance_name)?.status).toBe('TERMINATED');
    await dmSaying(t, 'U_ALICE', 'ran out, so I stopped it');
    const intervals = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
    expect(intervals).toHaveLength(1);
    expect(intervals[0]!.ended_at?.toISOString()).toBe(new Date(at('13:00')).toISOString());
    const [expired] = await audit(t, 'demo.expire', demo.id);
    expect(expired).toMatchObject({ actor_id: 'system:lease', after: { policy: 'stop', decision: 'stop' } });
    expect(await audit(t, 'demo.expiry_nudge', demo.id)).toHaveLength(2);
    // Nothing more happens at the next sweeps.
    await sweep(t, clock, '13:01');
    expect(await audit(t, 'demo.expire', demo.id)).toHaveLength(1);

    // Start after the lease ended is refused with the way out.
    const dm = await settledDm(t, demo.id, 'demos.start');
    await t.slack.action({ user: 'U_ALICE', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.start' });
    expect((await ephemeralSaying(t, 'U_ALICE', 'ran out')).text).toContain('Extend');

    // Extend from the Home tab moves it up to the cap (5 h from launch); past the cap it is refused.
    await t.slack.homeOpened({ user: 'U_ALICE' });
    const home = await eventually(
      () => t.fake.home('U_ALICE'),
      (h) => !!h && text(h.blocks).includes('demos.extend'),
    );
    await t.slack.action({ user: 'U_ALICE', on: { viewId: home!.id }, actionId: 'demos.extend' });
    await eventually(
      () => demoRow(t, demo.id),
      (d) => d.expires_at.getTime() === new Date(at('14:00')).getTime(),
    );
    await eventually(
      () => t.fake.home('U_ALICE'),
      (h) => !!h && !text(h.blocks).includes('demos.extend'),
    );
    const atCap = `${demo.id}|${new Date(at('14:00')).getTime()}`;
    await t.slack.action({ user: 'U_ALICE', on: { channel: nudge.channel, messageTs: nudges(t, 'U_ALICE')[1]!.ts }, actionId: 'demos.extend', choice: atCap });
    expect((await ephemeralSaying(t, 'U_ALICE', 'maximum of 5 hours')).text).toContain('Save it');
  });
});

describe('Extend and Save & stop on the status DM', () => {
  let t: TestApp;
  const clock = new ManualClock(at('09:00'));
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { DEMO_TTL_HOURS: '2', DEMO_MAX_TTL_HOURS: '5', READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('Extend on the DM moves expiry, updates the DM in place and says so where the user clicked; Extend on Home says so too', async () => {
    const demo = await launchDemo(t, 'U_CAROL');
    const dm = await settledDm(t, demo.id, 'demos.extend');
    expect(text(dm.blocks)).toContain('Save & stop');
    const saveAndStop = JSON.stringify(dm.blocks).match(/"value":"([^"]+\|stop)"/)?.[1];
    expect(saveAndStop).toBe(`${demo.id}|stop`);
    const dmCount = t.fake.messages('U_CAROL').length;

    await t.slack.action({ user: 'U_CAROL', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.extend' });
    await eventually(
      () => demoRow(t, demo.id),
      (d) => d.expires_at.getTime() === new Date(at('13:00')).getTime(),
    );
    // The same message, edited: the new expiry, and Extend offered again (its value carries the new expiry).
    const updated = await eventually(
      () => t.fake.message(dm.channel, dm.ts),
      (m) => !!m && text(m.blocks).includes('2026-03-02 13:00 UTC'),
    );
    expect(text(updated!.blocks)).toContain(`${demo.id}|${new Date(at('13:00')).getTime()}`);
    expect(text(updated!.blocks)).toContain('Cloud Console');
    const told = await ephemeralSaying(t, 'U_CAROL', 'Extended');
    expect(told).toMatchObject({ channel: dm.channel });
    expect(told.text).toContain('2026-03-02 13:00 UTC');
    expect(t.fake.messages('U_CAROL')).toHaveLength(dmCount);

    // From the Home tab (no channel to answer in): a DM says what changed.
    await t.slack.homeOpened({ user: 'U_CAROL' });
    const home = await eventually(
      () => t.fake.home('U_CAROL'),
      (h) => !!h && text(h.blocks).includes('demos.extend'),
    );
    await t.slack.action({ user: 'U_CAROL', on: { viewId: home!.id }, actionId: 'demos.extend' });
    const dmAnswer = await dmSaying(t, 'U_CAROL', 'Extended');
    expect(dmAnswer.text).toContain('2026-03-02 14:00 UTC');

    // Save & stop on the DM opens the save modal with "stop the VM" chosen.
    const views = openViews(t, 'U_CAROL');
    await t.slack.action({ user: 'U_CAROL', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save_and_stop' });
    const modal = await newView(t, 'U_CAROL', 'demos.save_view', views);
    expect(text(modal.blocks)).toMatch(/"initial_option":\{[^}]*\}[^}]*"value":"stop"/);
  });
});

describe('time to live with DEMO_EXPIRY_POLICY=save_then_delete', () => {
  let t: TestApp;
  const clock = new ManualClock(at('09:00'));
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { DEMO_TTL_HOURS: '2', DEMO_EXPIRY_POLICY: 'save_then_delete', READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test("at expiry the demo is saved as the owner's image, then deleted", async () => {
    const demo = await launchDemo(t, 'U_BOB');
    await sweep(t, clock, '11:00');
    await waitDemo(t, demo.id, 'deleted');
    const [save] = await savesOf(t, demo.id);
    expect(save).toMatchObject({ state: 'done', after: 'delete', requested_by: 'system:lease' });
    const image = await t.db.selectFrom('images').selectAll().where('id', '=', save!.image_id).executeTakeFirstOrThrow();
    expect(image).toMatchObject({ owner_id: 'U_BOB', visibility: 'private', status: 'ready' });
    expect(t.sim.machineImage(image.gce_name)).toBeDefined();
    expect(t.sim.instance(demo.zone, demo.instance_name)).toBeUndefined();
    expect((await audit(t, 'demo.expire', demo.id))[0]).toMatchObject({ after: { policy: 'save_then_delete' } });
  });
});
