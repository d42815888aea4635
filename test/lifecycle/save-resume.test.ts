import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockActions, interactionRequest, viewSubmission } from '../harness/slack-requests.ts';
import { userObject } from '../../sim/slack/index.ts';
import {
  audit,
  catalogImageId,
  demoRow,
  ephemeralSaying,
  imageRow,
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

describe.each(['postgres', 'pglite'] as const)('save as a machine image, then resume, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ backend, gce: { operationMs: 30, bootMs: 30 }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('Launch → Save (delete after) → a private image with its parent, the VM gone → Resume → a new VM from it', async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    const progress: string[] = [];
    const onUpdate = (m: { ts: string; text: string }) => m.ts === demo.dm_ts && progress.push(m.text);
    t.fake.events.on('message_updated', onUpdate);
    try {
      await saveFromDm(t, 'U_ALICE', demo.id, 'delete', 'Acme CRM, tuned');
      const done = await waitDemo(t, demo.id, 'deleted');
      expect(done.state).toBe('deleted');
    } finally {
      t.fake.events.off('message_updated', onUpdate);
    }
    // The DM said "saving" in place.
    expect(progress.some((p) => p.includes('saving'))).toBe(true);
    const [save] = await savesOf(t, demo.id);
    expect(save).toMatchObject({ state: 'done', after: 'delete', prior_state: 'running', requested_by: 'U_ALICE' });

    // GCE: one machine image from exactly that instance; the instance is gone.
    const image = await imageRow(t, save!.image_id);
    const mi = t.sim.machineImage(image.gce_name);
    expect(image.gce_name).toBe(`img-${save!.id.replaceAll('-', '')}`);
    expect(mi?.status).toBe('READY');
    expect(mi?.sourceInstance).toMatch(new RegExp(`/projects/demo-test-project/zones/${demo.zone}/instances/${demo.instance_name}$`));
    expect(t.sim.requestsFor('machineImages.insert')).toHaveLength(1);
    expect(t.sim.instance(demo.zone, demo.instance_name)).toBeUndefined();

    // Catalog: the user's private image, lineage to the image the demo came from.
    expect(image).toMatchObject({
      owner_id: 'U_ALICE',
      visibility: 'private',
      origin: 'saved',
      status: 'ready',
      source_demo_id: demo.id,
      parent_image_id: await catalogImageId(t, 'crm-demo'),
    });
    expect(Number(image.storage_bytes)).toBeGreaterThan(0);
    // The DM ends "deleted", with the saved image named.
    await eventually(
      () => t.fake.message(demo.dm_channel!, demo.dm_ts!),
      (m) => !!m && text(m.blocks).includes('Saved as') && text(m.blocks).includes('deleted. Its VM is gone'),
    );
    expect(await audit(t, 'demo.save', demo.id)).toHaveLength(1);
    expect(await audit(t, 'image.saved', image.id)).toHaveLength(1);
    // The usage interval closed when the VM went.
    const intervals = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
    expect(intervals.every((i) => i.ended_at !== null)).toBe(true);

    // Resume from `/demo images`: a new demo, a new VM made from the saved machine image.
    await t.slack.command({ user: 'U_ALICE', text: 'images' });
    const list = await ephemeralSaying(t, 'U_ALICE', 'Acme CRM, tuned');
    const before = new Set((await t.db.selectFrom('demos').select('id').execute()).map((r) => r.id));
    // A double click and a Slack retry of the same payload: one new demo.
    const click = () =>
      blockActions(t.fake, { user: 'U_ALICE', on: { channel: list.channel, ephemeralTs: list.ts }, actionId: 'demos.resume', choice: image.id });
    const first = click();
    await Promise.all([t.slack.send(first), t.slack.send(click()), t.slack.send(first, { retryNum: 1 })]);
    const resumedId = await eventually(
      async () => (await t.db.selectFrom('demos').select('id').execute()).map((r) => r.id).find((id) => !before.has(id)),
      Boolean,
    );
    const resumed = await waitDemo(t, resumedId!, 'running', 'ready');
    expect(resumed).toMatchObject({ owner_id: 'U_ALICE', image_id: image.id, zone: demo.zone, machine_type: demo.machine_type });
    expect((await t.db.selectFrom('demos').select('id').execute()).filter((r) => !before.has(r.id))).toHaveLength(1);
    const vm = t.sim.instance(resumed.zone, resumed.instance_name);
    expect(vm?.sourceMachineImage).toMatch(new RegExp(`/global/machineImages/${image.gce_name}$`));
  });

  test("a second Save inside GCE's 10-minute window is explained, not failed", async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    await saveFromDm(t, 'U_ALICE', demo.id, 'keep', 'First save');
    await eventually(
      () => savesOf(t, demo.id),
      (s) => s[0]?.state === 'done',
    );
    await waitDemo(t, demo.id, 'running', 'ready');
    const inserts = t.sim.requestsFor('machineImages.insert').length;

    const dm = await settledDm(t, demo.id);
    await t.slack.action({ user: 'U_ALICE', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save', choice: demo.id });
    const explained = await viewSaying(t, 'U_ALICE', 'one machine image per VM every 10 minutes');
    expect(text(explained.blocks)).toMatch(/next save is possible at .* \(in \d+ minutes?\)/);
    expect(await savesOf(t, demo.id)).toHaveLength(1);
    expect(t.sim.requestsFor('machineImages.insert')).toHaveLength(inserts);
    expect((await demoRow(t, demo.id)).state).toBe('running');
  });

  test('two concurrent Save submissions (one modal twice, and two modals) make one machine image', async () => {
    const demo = await launchDemo(t, 'U_BOB');
    const inserts = t.sim.requestsFor('machineImages.insert').length;
    const dm = await settledDm(t, demo.id);
    const values = { 'demos.save_title': 'Bob twice', 'demos.save_after': 'stop' };

    // Two modals opened by two clicks; each submission is built while its modal is open.
    let views = openViews(t, 'U_BOB');
    await t.slack.action({ user: 'U_BOB', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save', choice: demo.id });
    const first = await newView(t, 'U_BOB', 'demos.save_view', views);
    const firstSubmit = viewSubmission(t.fake, { user: 'U_BOB', viewId: first.id, values });
    const firstAgain = viewSubmission(t.fake, { user: 'U_BOB', viewId: first.id, values });
    views = openViews(t, 'U_BOB');
    await t.slack.action({ user: 'U_BOB', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save', choice: demo.id });
    const second = await newView(t, 'U_BOB', 'demos.save_view', views);
    const secondSubmit = viewSubmission(t.fake, { user: 'U_BOB', viewId: second.id, values });

    const sent = await Promise.all([t.slack.send(firstSubmit), t.slack.send(firstAgain), t.slack.send(secondSubmit)]);
    for (const s of sent) expect(s.response.status).toBe(200);
    await waitDemo(t, demo.id, 'stopped', 'idle');
    const saves = await savesOf(t, demo.id);
    expect(saves).toHaveLength(1);
    expect(t.sim.requestsFor('machineImages.insert')).toHaveLength(inserts + 1);
    expect(t.sim.machineImages.filter((m) => m.sourceInstance?.endsWith(`/instances/${demo.instance_name}`))).toHaveLength(1);
  });

  test('a non-owner pressing Save, Resume or Delete is refused and nothing changes', async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    const dm = await settledDm(t, demo.id);
    await t.slack.action({ user: 'U_BOB', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save', choice: demo.id });
    const refused = await viewSaying(t, 'U_BOB', "Only the demo's owner");
    expect(text(refused.blocks)).toContain('<@U_ALICE>');
    expect(await savesOf(t, demo.id)).toHaveLength(0);

    // Bob clicks the buttons of Alice's list (a payload Slack would only send her, re-signed as his).
    const aliceImage = await t.db
      .selectFrom('images')
      .select(['id', 'gce_name', 'display_name'])
      .where('owner_id', '=', 'U_ALICE')
      .where('origin', '=', 'saved')
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    await t.slack.command({ user: 'U_ALICE', text: 'images' });
    const list = await ephemeralSaying(t, 'U_ALICE', aliceImage.display_name);
    const demosBefore = (await t.db.selectFrom('demos').select('id').execute()).length;
    for (const actionId of ['demos.resume', 'demos.delete_image']) {
      const marker = t.fake.mark();
      const aliceClick = blockActions(t.fake, { user: 'U_ALICE', on: { channel: list.channel, ephemeralTs: list.ts }, actionId, choice: aliceImage.id });
      const bobClick = interactionRequest({ ...aliceClick.payload, user: userObject(t.fake, 'U_BOB') }, { responseUrl: aliceClick.responseUrl });
      expect((await t.slack.send(bobClick)).response.status).toBe(200);
      const said = await t.fake.waitFor('response_url', (c) => /Only the/.test(JSON.stringify(c.args)), { after: marker });
      expect(JSON.stringify(said.args)).toMatch(
        actionId === 'demos.resume' ? /Only the owner of a saved image can resume it/ : /Only the image's owner or an admin can delete it/,
      );
    }
    expect((await t.db.selectFrom('demos').select('id').execute()).length).toBe(demosBefore);
    expect((await imageRow(t, aliceImage.id)).status).toBe('ready');
    expect(t.sim.machineImage(aliceImage.gce_name)).toBeDefined();
  });
});
