import { expect } from 'vitest';
import { eventually, type TestApp } from '../harness/app.ts';
import { openCatalog, openViewIds, waitForView } from '../harness/flows.ts';
import type { StoredMessage, StoredView } from '../../sim/slack/index.ts';

export { blockText as text, dmSaying, ephemeralSaying } from '../harness/flows.ts';

/** Journeys of sharing and comments through the real receiver. */

export const SHARING_ENV = { SHARE_APPROVALS_CHANNEL: 'C_APPROVALS', CATALOG_CHANNEL: 'C_DEMOS', APPROVER_USERGROUP: 'S_APPROVERS' };

/** A saved, private image straight in the catalog (when the test is not about saving). */
export async function privateImage(t: TestApp, owner: string, title: string, opts: { parentGce?: string; description?: string } = {}): Promise<string> {
  const now = new Date();
  const parent = opts.parentGce
    ? await t.db.selectFrom('images').select('id').where('gce_name', '=', opts.parentGce).where('deleted_at', 'is', null).executeTakeFirstOrThrow()
    : null;
  const row = await t.db
    .insertInto('images')
    .values({
      project: 'demo-test-project',
      gce_name: `img-${crypto.randomUUID().replaceAll('-', '')}`,
      title,
      description: opts.description ?? '',
      owner_id: owner,
      visibility: 'private',
      origin: 'saved',
      parent_image_id: parent?.id ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function image(t: TestApp, id: string) {
  return t.db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** `/demo browse` → Details of one image (any the user may see; the button's value is the image id). */
export async function openDetail(t: TestApp, user: string, imageId: string): Promise<StoredView> {
  const browse = await openCatalog(t, user);
  const before = openViewIds(t, user);
  await t.slack.action({ user, on: { viewId: browse.id }, actionId: 'catalog.open_detail', choice: imageId });
  return waitForView(t, user, 'catalog.detail', before);
}

/** A view as it is now (updated in place after the action). */
export async function viewNow(t: TestApp, id: string, ok: (v: StoredView) => boolean): Promise<StoredView> {
  return eventually(
    () => t.fake.view(id),
    (v) => !!v && ok(v),
  ) as Promise<StoredView>;
}

/** From an image detail: Share → the request modal → submit with a note. */
export async function askToShare(t: TestApp, user: string, detail: StoredView, imageId: string, note = 'Tuned for retail demos.'): Promise<void> {
  const before = openViewIds(t, user);
  await t.slack.action({ user, on: { viewId: detail.id }, actionId: 'sharing.share', choice: imageId });
  const modal = await waitForView(t, user, 'sharing.request_view', before);
  const sent = await t.slack.submit({ user, viewId: modal.id, values: { 'sharing.note': note } });
  expect(sent.response.status).toBe(200);
  expect(sent.outcome).toMatchObject({ outcome: 'updated' });
}

/** A private image of `owner` (child of crm-demo), asked to share from its detail: pending, its request posted. */
export async function pendingShare(t: TestApp, owner: string, title: string): Promise<{ id: string; message: StoredMessage & { requestId: string } }> {
  const id = await privateImage(t, owner, title, { parentGce: 'crm-demo' });
  await askToShare(t, owner, await openDetail(t, owner, id), id, `Please share ${title}`);
  expect((await image(t, id)).visibility).toBe('pending');
  return { id, message: await requestMessage(t, id) };
}

/** The request message in the approvals channel, once the job has posted it. */
export async function requestMessage(t: TestApp, imageId: string): Promise<StoredMessage & { requestId: string }> {
  const row = await eventually(
    () => t.db.selectFrom('share_requests').selectAll().where('image_id', '=', imageId).orderBy('created_at', 'desc').executeTakeFirst(),
    (r) => !!r?.message_ts,
  );
  return { ...t.fake.message(row!.channel!, row!.message_ts!)!, requestId: row!.id };
}

export async function shareRequests(t: TestApp, imageId: string) {
  return t.db.selectFrom('share_requests').selectAll().where('image_id', '=', imageId).orderBy('created_at').execute();
}

export async function auditRows(t: TestApp, action: string, resourceId: string) {
  return t.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('resource_id', '=', resourceId).execute();
}

export function click(t: TestApp, user: string, message: { channel: string; ts: string }, actionId: string) {
  return t.slack.action({ user, on: { channel: message.channel, messageTs: message.ts }, actionId });
}

/** `/demo browse` → Details → Comment → the modal, submitted with these words. Returns the detail view. */
export async function commentInModal(t: TestApp, user: string, imageId: string, words: string): Promise<StoredView> {
  const detail = await openDetail(t, user, imageId);
  const before = openViewIds(t, user);
  await t.slack.action({ user, on: { viewId: detail.id }, actionId: 'comments.comment', choice: imageId });
  const modal = await waitForView(t, user, 'comments.comment_view', before);
  const sent = await t.slack.submit({ user, viewId: modal.id, values: { 'comments.body': words } });
  expect(sent.outcome).toMatchObject({ outcome: 'closed' });
  return detail;
}
