import { expect } from 'vitest';
import { eventually, type TestApp } from '../harness/app.ts';
import { blockText as text } from '../harness/flows.ts';
import type { StoredMessage, StoredView } from '../../sim/slack/index.ts';

export { blockText as text, dmSaying, ephemeralSaying } from '../harness/flows.ts';

/** Journeys of the demo lifecycle through the real receiver, by demo id (never "the latest row"). */

export async function demoRow(t: TestApp, id: string) {
  return t.db.selectFrom('demos').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function demoIds(t: TestApp, owner?: string): Promise<Set<string>> {
  let q = t.db.selectFrom('demos').select('id');
  if (owner) q = q.where('owner_id', '=', owner);
  return new Set((await q.execute()).map((r) => r.id));
}

export async function waitDemo(t: TestApp, id: string, state: string, progress?: string, timeoutMs = 20_000) {
  return eventually(
    () => demoRow(t, id),
    (d) => d.state === state && (progress === undefined || d.progress === progress),
    timeoutMs,
  );
}

/** A modal the user did not have before, with this callback_id. */
export async function newView(t: TestApp, user: string, callbackId: string, before: Set<string>): Promise<StoredView> {
  return eventually(
    () => t.fake.views(user).at(-1),
    (v) => !!v && v.callback_id === callbackId && !before.has(v.id),
    10_000,
  ) as Promise<StoredView>;
}

/** The newest modal of a user (opened or updated after the action), whatever its callback. */
export async function viewSaying(t: TestApp, user: string, words: string): Promise<StoredView> {
  return eventually(
    () => t.fake.views(user).at(-1),
    (v) => !!v && text(v.blocks).includes(words),
    10_000,
  ) as Promise<StoredView>;
}

export const openViews = (t: TestApp, user: string) => new Set(t.fake.views(user).map((v) => v.id));

/** `/demo launch <image>` → the launch modal → submit; waits until the VM is running. */
export async function launchDemo(t: TestApp, user: string, image = 'crm-demo', values: Record<string, string> = {}) {
  const before = await demoIds(t, user);
  const views = openViews(t, user);
  await t.slack.command({ user, text: `launch ${image}` });
  const modal = await newView(t, user, 'demos.launch', views);
  const sent = await t.slack.submit({ user, viewId: modal.id, values });
  expect(sent.response.status).toBe(200);
  const id = await eventually(async () => [...(await demoIds(t, user))].find((d) => !before.has(d)), Boolean);
  return waitDemo(t, id!, 'running', 'ready');
}

export function statusMessage(t: TestApp, demo: { dm_channel: string | null; dm_ts: string | null }): StoredMessage {
  if (!demo.dm_channel || !demo.dm_ts) throw new Error('no status message yet');
  const m = t.fake.message(demo.dm_channel, demo.dm_ts);
  if (!m) throw new Error('status message not in the fake');
  return m;
}

/** The demo's status DM once it has the buttons of a settled state. */
export async function settledDm(t: TestApp, demoId: string, words = 'demos.save'): Promise<StoredMessage> {
  return eventually(
    async () => {
      const d = await demoRow(t, demoId);
      return d.dm_ts ? statusMessage(t, d) : undefined;
    },
    (m) => !!m && text(m.blocks).includes(words),
  ) as Promise<StoredMessage>;
}

/** Press Save on the status DM, fill in the modal and submit it. Returns the modal's id. */
export async function saveFromDm(t: TestApp, user: string, demoId: string, after: 'keep' | 'stop' | 'delete', title = 'Acme CRM, tuned') {
  const dm = await settledDm(t, demoId);
  const views = openViews(t, user);
  await t.slack.action({ user, on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.save', choice: demoId });
  const modal = await newView(t, user, 'demos.save_view', views);
  const sent = await t.slack.submit({ user, viewId: modal.id, values: { 'demos.save_title': title, 'demos.save_after': after } });
  expect(sent.response.status).toBe(200);
  return modal.id;
}

export async function savesOf(t: TestApp, demoId: string) {
  return t.db.selectFrom('saves').selectAll().where('demo_id', '=', demoId).orderBy('created_at').execute();
}

export async function imageRow(t: TestApp, id: string) {
  return t.db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function catalogImageId(t: TestApp, gceName: string): Promise<string> {
  const row = await t.db.selectFrom('images').select('id').where('gce_name', '=', gceName).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return row.id;
}

export async function audit(t: TestApp, action: string, resourceId?: string) {
  let q = t.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (resourceId) q = q.where('resource_id', '=', resourceId);
  return q.orderBy('id').execute();
}
