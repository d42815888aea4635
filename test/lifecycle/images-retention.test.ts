import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { audit, demoIds, demoRow, ephemeralSaying, imageRow, launchDemo, saveFromDm, savesOf, settledDm, text, waitDemo } from './helpers.ts';

const DAY = 86_400_000;

describe('deleting saved images, and retention', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      gce: { operationMs: 20, bootMs: 20 },
      env: { READINESS_TIMEOUT_SECONDS: '1', DEMO_RETENTION_DAYS: '1', IMAGE_RETENTION_DAYS: '1', RETENTION_NOTICE_DAYS: '1' },
    });
  });
  afterAll(async () => t?.close());

  async function savedImage(user: string, title: string) {
    const demo = await launchDemo(t, user);
    await saveFromDm(t, user, demo.id, 'delete', title);
    const [save] = await eventually(
      () => savesOf(t, demo.id),
      (s) => s[0]?.state === 'done',
    );
    await waitDemo(t, demo.id, 'deleted');
    return imageRow(t, save!.image_id);
  }

  async function listAndClick(user: string, name: string, actionId: string, value: string) {
    await t.slack.command({ user, text: 'images' });
    const list = await ephemeralSaying(t, user, name);
    await t.slack.action({ user, on: { channel: list.channel, ephemeralTs: list.ts }, actionId, choice: value });
  }

  test("delete is refused while a colleague's demo depends on the image; afterwards it deletes the machine image too", async () => {
    const image = await savedImage('U_ALICE', 'Shared setup');
    // Alice resumes it and hands the new demo to Bob: Bob's live demo now comes from Alice's image.
    const before = await demoIds(t);
    await listAndClick('U_ALICE', image.display_name, 'demos.resume', image.id);
    const resumedId = await eventually(async () => [...(await demoIds(t))].find((id) => !before.has(id)), Boolean);
    const resumed = await waitDemo(t, resumedId!, 'running', 'ready');
    await t.slack.command({ user: 'U_ALICE', text: `transfer ${resumed.instance_name} <@U_BOB>` });
    await eventually(
      () => demoRow(t, resumed.id),
      (d) => d.owner_id === 'U_BOB',
    );

    await listAndClick('U_ALICE', image.display_name, 'demos.delete_image', image.id);
    const refused = await ephemeralSaying(t, 'U_ALICE', "can't delete");
    expect(refused.text).toContain(`<@U_BOB>'s demo \`${resumed.display_name}\``);
    expect((await imageRow(t, image.id)).status).toBe('ready');
    expect(t.sim.machineImage(image.gce_name)).toBeDefined();

    // Bob deletes his demo; now Alice can delete the image, and its machine image goes.
    const bobDm = await settledDm(t, resumed.id);
    await t.slack.action({ user: 'U_BOB', on: { channel: bobDm.channel, messageTs: bobDm.ts }, actionId: 'demos.delete' });
    await waitDemo(t, resumed.id, 'deleted');
    await listAndClick('U_ALICE', image.display_name, 'demos.delete_image', image.id);
    await ephemeralSaying(t, 'U_ALICE', 'Deleting *Shared setup*');
    await eventually(
      () => imageRow(t, image.id),
      (i) => i.status === 'deleted' && i.deleted_at !== null,
    );
    expect(t.sim.machineImage(image.gce_name)).toBeUndefined();
    expect(t.sim.requestsFor('machineImages.delete')).toHaveLength(1);
    expect(await audit(t, 'image.delete', image.id)).toHaveLength(1);
  });

  test('retention: a warning with the storage cost and Keep; kept ones stay, the others are deleted after the notice', async () => {
    const image = await savedImage('U_BOB', 'Old customer setup');
    const kept = await launchDemo(t, 'U_BOB');
    const dropped = await launchDemo(t, 'U_BOB');
    for (const d of [kept, dropped]) {
      const dm = await settledDm(t, d.id);
      await t.slack.action({ user: 'U_BOB', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.stop' });
      await waitDemo(t, d.id, 'stopped', 'idle');
    }
    const retention = t.app.scheduler.tasks.find((task) => task.name === 'demo-retention')!;

    await retention.tick(new Date(Date.now() + 2 * DAY));
    const warnings = await eventually(
      () => t.fake.messages('U_BOB').filter((m) => m.metadata?.event_type === 'demo_vm_retention_warning'),
      (w) => w.length === 3,
    );
    const imageWarning = warnings.find((w) => text(w.blocks).includes(image.display_name))!;
    expect(text(imageWarning.blocks)).toMatch(/costs about \$\d+\.\d\d a month/);
    expect(text(imageWarning.blocks)).toContain('demos.keep_image');
    const keptWarning = warnings.find((w) => text(w.blocks).includes(kept.display_name))!;
    await t.slack.action({ user: 'U_BOB', on: { channel: keptWarning.channel, messageTs: keptWarning.ts }, actionId: 'demos.keep_demo' });
    await eventually(
      () => t.fake.message(keptWarning.channel, keptWarning.ts),
      (m) => !!m && (m.text ?? '').includes('Kept'),
    );

    await retention.tick(new Date(Date.now() + 3.5 * DAY));
    await waitDemo(t, dropped.id, 'deleted');
    await eventually(
      () => imageRow(t, image.id),
      (i) => i.deleted_at !== null,
    );
    expect(t.sim.machineImage(image.gce_name)).toBeUndefined();
    expect((await demoRow(t, kept.id)).state).toBe('stopped');
    expect(await audit(t, 'demo.retention_delete', dropped.id)).toHaveLength(1);
    expect(await audit(t, 'demo.keep', kept.id)).toHaveLength(1);
    // The kept demo is announced again later rather than deleted without a word.
    expect(
      t.fake.messages('U_BOB').filter((m) => m.metadata?.event_type === 'demo_vm_retention_warning' && text(m.blocks).includes(kept.display_name)),
    ).toHaveLength(2);
  });
});
