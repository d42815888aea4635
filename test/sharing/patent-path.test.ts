import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { openCatalog } from '../harness/flows.ts';
import { launchDemo, saveFromDm, savesOf } from '../lifecycle/helpers.ts';
import { askToShare, click, dmSaying, ephemeralSaying, image, openDetail, requestMessage, shareRequests, SHARING_ENV, text } from './helpers.ts';

/**
 * The patent's path: A customises an official image and saves it, asks to share it, an approver
 * approves in the approvals thread, B finds it, launches it, saves their own version: a third image
 * whose parent is A's and whose grandparent is the official one.
 */
describe.each(['postgres', 'pglite'] as const)('launch → save → share with approval → clone → save, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ backend, gce: { operationMs: 20, bootMs: 20 }, env: { ...SHARING_ENV, READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  async function saved(user: string, demoId: string, title: string) {
    await saveFromDm(t, user, demoId, 'keep', title);
    const [save] = await eventually(
      () => savesOf(t, demoId),
      (rows) => rows[0]?.state === 'done',
      30_000,
    );
    return save!.image_id;
  }

  test('the whole path, with the approver deciding in the thread and lineage back to the official image', async () => {
    const official = await t.db.selectFrom('images').selectAll().where('gce_name', '=', 'crm-demo').executeTakeFirstOrThrow();

    // A: launch the official image, customise (the VM), save it as a private image.
    const demoA = await launchDemo(t, 'U_ALICE', 'crm-demo');
    const imageA = await saved('U_ALICE', demoA.id, 'Acme CRM, retail edition');
    expect(await image(t, imageA)).toMatchObject({ owner_id: 'U_ALICE', visibility: 'private', parent_image_id: official.id });
    expect(text((await openCatalog(t, 'U_BOB')).blocks)).not.toContain('retail edition');

    // A asks to share it from the image's details.
    await askToShare(t, 'U_ALICE', await openDetail(t, 'U_ALICE', imageA), imageA, 'For the retail prospects next week.');
    const message = await requestMessage(t, imageA);
    expect(message.channel).toBe('C_APPROVALS');
    expect(text(message.blocks)).toContain('Acme CRM, retail edition');
    expect(text(message.blocks)).toContain('For the retail prospects next week.');

    // The discussion happens in the request's thread; it is not an image comment.
    await t.slack.message({ user: 'U_MANAGER', channel: 'C_APPROVALS', threadTs: message.ts, text: 'Is the customer logo gone?' });
    await t.slack.message({ user: 'U_ALICE', channel: 'C_APPROVALS', threadTs: message.ts, text: 'Yes, replaced by ours.' });
    expect(t.fake.thread('C_APPROVALS', message.ts)).toHaveLength(3);

    // A colleague who is not an approver presses Approve: refused, only to them; nothing changes.
    await click(t, 'U_BOB', message, 'sharing.approve');
    expect((await ephemeralSaying(t, 'U_BOB', 'Only an approver')).text).toBeTruthy();
    expect((await image(t, imageA)).visibility).toBe('pending');

    // The manager (an approver through the S_APPROVERS user group) approves.
    await click(t, 'U_MANAGER', message, 'sharing.approve');
    await eventually(
      () => image(t, imageA),
      (i) => i.visibility === 'shared',
    );
    const [request] = await shareRequests(t, imageA);
    expect(request).toMatchObject({ status: 'approved', decided_by: 'U_MANAGER', requester_id: 'U_ALICE' });
    await dmSaying(t, 'U_ALICE', 'approved sharing');
    const decided = await eventually(
      () => t.fake.message(message.channel, message.ts),
      (m) => text(m?.blocks).includes('Approved'),
    );
    expect(text(decided!.blocks)).not.toContain('sharing.approve');
    // Shared images get their comment thread in the catalog channel.
    await eventually(
      () => image(t, imageA),
      (i) => !!i.thread_ts && !i.thread_ts.startsWith('creating:'),
    );

    // B finds it by its owner's name and a word of its title, and launches it.
    expect(text((await openCatalog(t, 'U_BOB', 'alice retail')).blocks)).toContain('Acme CRM, retail edition');
    const demoB = await launchDemo(t, 'U_BOB', (await image(t, imageA)).gce_name);
    expect(demoB.image_id).toBe(imageA);
    const imageB = await saved('U_BOB', demoB.id, 'Acme CRM, retail edition for Globex');

    // B's own private image: parent A's, grandparent the official one; A's shows one derived.
    expect(await image(t, imageB)).toMatchObject({ owner_id: 'U_BOB', visibility: 'private', parent_image_id: imageA });
    const detailB = text((await openDetail(t, 'U_BOB', imageB)).blocks);
    expect(detailB).toMatch(/Lineage:\* Acme CRM, retail edition \(<@U_ALICE>\) ← .+ \(the catalog\)/);
    expect(detailB).toContain(official.title);
    const detailA = text((await openDetail(t, 'U_CAROL', imageA)).blocks);
    expect(detailA).toContain('*Derived images*\\n1');
    expect(detailA).toContain('*Launched*\\n1 time');
    expect(text((await openCatalog(t, 'U_CAROL')).blocks)).not.toContain('for Globex');
  });
});
