import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { reconcile } from '../../src/demos/reconciler.ts';
import {
  audit,
  demoIds,
  demoRow,
  dmSaying,
  ephemeralSaying,
  launchDemo,
  newView,
  openViews,
  saveFromDm,
  savesOf,
  settledDm,
  text,
  viewSaying,
  waitDemo,
} from './helpers.ts';

describe('hand-over, pause and the fleet', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ gce: { operationMs: 20, bootMs: 20 }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('transfer a demo: the new owner is told, can stop and save it; the old owner no longer can', async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    const oldDm = await settledDm(t, demo.id);
    await t.slack.command({ user: 'U_ALICE', text: `transfer ${demo.instance_name} <@U_NOBODY>` });
    await ephemeralSaying(t, 'U_ALICE', "can't find <@U_NOBODY>");
    await t.slack.command({ user: 'U_ALICE', text: `transfer ${demo.instance_name} <@U_BOB|bob>` });
    expect((await ephemeralSaying(t, 'U_ALICE', 'now belongs to')).text).toContain('<@U_BOB>');
    await dmSaying(t, 'U_BOB', 'handed the demo');
    expect((await demoRow(t, demo.id)).owner_id).toBe('U_BOB');
    expect(await audit(t, 'demo.transfer', demo.id)).toMatchObject([{ actor_id: 'U_ALICE', before: { owner: 'U_ALICE' }, after: { owner: 'U_BOB' } }]);
    // The VM's owner label follows (a durable job; the other labels stay).
    const vm = await eventually(
      async () => t.sim.instance(demo.zone, demo.instance_name),
      (i) => i?.labels['owner'] === 'u_bob',
    );
    expect(vm!.labels).toMatchObject({ 'managed-by': 'demo-vm', 'demo-id': demo.id, owner: 'u_bob' });
    // Alice's old status message lost its buttons; Bob has a status message of his own.
    const old = t.fake.message(oldDm.channel, oldDm.ts)!;
    expect(text(old.blocks)).toContain('handed over');
    expect(text(old.blocks)).not.toContain('demos.stop');
    const bobDm = await eventually(
      async () => {
        const d = await demoRow(t, demo.id);
        return d.dm_channel && d.dm_channel !== oldDm.channel ? t.fake.message(d.dm_channel, d.dm_ts!) : undefined;
      },
      (m) => !!m && text(m.blocks).includes('demos.stop'),
    );

    // Alice presses Stop on the demo's message (a crafted click) and tries /demo save: refused.
    await t.slack.action({ user: 'U_ALICE', on: { channel: bobDm!.channel, messageTs: bobDm!.ts }, actionId: 'demos.stop' });
    expect((await ephemeralSaying(t, 'U_ALICE', "Only the demo's owner")).text).toContain('<@U_BOB>');
    const views = openViews(t, 'U_ALICE');
    await t.slack.command({ user: 'U_ALICE', text: `save ${demo.instance_name}` });
    await ephemeralSaying(t, 'U_ALICE', `I understood demo \`${demo.instance_name}\``);
    expect(openViews(t, 'U_ALICE')).toEqual(views);
    expect((await demoRow(t, demo.id)).state).toBe('running');

    // Bob stops it and saves it; the image is his.
    await t.slack.action({ user: 'U_BOB', on: { channel: bobDm!.channel, messageTs: bobDm!.ts }, actionId: 'demos.stop' });
    await waitDemo(t, demo.id, 'stopped', 'idle');
    await saveFromDm(t, 'U_BOB', demo.id, 'keep', 'Bob took it over');
    const [save] = await eventually(
      () => savesOf(t, demo.id),
      (s) => s[0]?.state === 'done',
    );
    const image = await t.db.selectFrom('images').selectAll().where('id', '=', save!.image_id).executeTakeFirstOrThrow();
    expect(image.owner_id).toBe('U_BOB');
    // Usage: Alice's interval ends at the hand-over, Bob's starts there and ends at his stop.
    const intervals = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).orderBy('started_at').execute();
    expect(intervals.map((i) => i.user_id)).toEqual(['U_ALICE', 'U_BOB']);
    expect(intervals[0]!.ended_at?.getTime()).toBe(intervals[1]!.started_at.getTime());
    expect(intervals[1]!.ended_at).not.toBeNull();
  });

  test('transfer a saved image with the button and the colleague picker', async () => {
    const image = await t.db.selectFrom('images').selectAll().where('owner_id', '=', 'U_BOB').where('origin', '=', 'saved').executeTakeFirstOrThrow();
    await t.slack.command({ user: 'U_BOB', text: 'images' });
    const list = await ephemeralSaying(t, 'U_BOB', image.display_name);
    const views = openViews(t, 'U_BOB');
    await t.slack.action({ user: 'U_BOB', on: { channel: list.channel, ephemeralTs: list.ts }, actionId: 'demos.transfer', choice: `image|${image.id}` });
    const modal = await newView(t, 'U_BOB', 'demos.transfer_view', views);
    await t.slack.submit({ user: 'U_BOB', viewId: modal.id, values: { 'demos.transfer_user': 'U_ALICE' } });
    await eventually(
      () => t.db.selectFrom('images').select('owner_id').where('id', '=', image.id).executeTakeFirstOrThrow(),
      (r) => r.owner_id === 'U_ALICE',
    );
    await dmSaying(t, 'U_ALICE', 'handed the saved image');
    expect(text((await viewSaying(t, 'U_BOB', 'now belongs to')).blocks)).toContain('<@U_ALICE>');
    expect(await audit(t, 'image.transfer', image.id)).toHaveLength(1);
  });

  test('pause: only admins switch it; while on, launches are refused with a message', async () => {
    await t.slack.command({ user: 'U_ALICE', text: 'admin pause on' });
    expect(t.fake.ephemerals('U_ALICE').at(-1)?.text).toContain('Only an admin');

    await t.slack.command({ user: 'U_ADMIN', text: 'admin pause on quota review' });
    await ephemeralSaying(t, 'U_ADMIN', 'New launches are paused');
    const before = await demoIds(t);
    const views = openViews(t, 'U_ALICE');
    await t.slack.command({ user: 'U_ALICE', text: 'launch crm-demo' });
    const modal = await newView(t, 'U_ALICE', 'demos.launch', views);
    await t.slack.submit({ user: 'U_ALICE', viewId: modal.id });
    const refused = await viewSaying(t, 'U_ALICE', 'New demos are paused by an admin');
    expect(text(refused.blocks)).toContain('quota review');
    expect(await demoIds(t)).toEqual(before);
    expect(await audit(t, 'fleet.pause')).toHaveLength(1);

    await t.slack.command({ user: 'U_ADMIN', text: 'admin pause off' });
    await ephemeralSaying(t, 'U_ADMIN', 'allowed again');
    await launchDemo(t, 'U_ALICE');
  });

  test('the fleet lists live demos with owner, age, expiry and cost, and orphaned VMs; an admin force-stops', async () => {
    t.sim.addInstance({ zone: 'us-central1-a', name: 'demo-left-behind', labels: { 'managed-by': 'demo-vm', owner: 'u_gone' } });
    // The web role shows what the worker's last reconcile found in GCE.
    await reconcile(t.app.worker!);
    await t.db
      .insertInto('machine_prices')
      .values({ machine_type: 'e2-medium', region: 'us-central1', hourly_price: '0.0335', updated_by: 'U_ADMIN', updated_at: new Date() })
      .onConflict((oc) => oc.columns(['machine_type', 'region']).doNothing())
      .execute();
    const running = await t.db.selectFrom('demos').selectAll().where('state', '=', 'running').where('owner_id', '=', 'U_ALICE').executeTakeFirstOrThrow();
    await t.slack.command({ user: 'U_ADMIN', text: 'admin fleet' });
    const shown = await ephemeralSaying(t, 'U_ADMIN', 'Orphaned VMs');
    const body = text(shown.blocks);
    expect(body).toContain('demo-left-behind');
    expect(body).toContain('as of the last check with GCE');
    expect(body).toContain(running.display_name);
    expect(body).not.toContain(running.instance_name);
    expect(body).toContain('<@U_ALICE>');
    expect(body).toMatch(/age \d/);
    expect(body).toContain('expires <!date^');
    expect(body).toContain('$');

    await t.slack.action({ user: 'U_ADMIN', on: { channel: shown.channel, ephemeralTs: shown.ts }, actionId: 'demos.force_stop', choice: running.id });
    await waitDemo(t, running.id, 'stopped', 'idle');
    expect(await audit(t, 'demo.force_stop', running.id)).toHaveLength(1);
    await dmSaying(t, 'U_ALICE', '(an admin) stopped your demo');
  });
});
