import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import { eventually } from './app.ts';
import type { StoredEphemeral, StoredMessage, StoredView } from '../../sim/slack/index.ts';

/** Reusable user journeys through the real receiver, for the tests of every capability. */

export function topView(t: TestApp, user: string): StoredView {
  const stack = t.fake.views(user);
  const top = stack.at(-1);
  if (!top) throw new Error(`${user} has no open modal`);
  return top;
}

/**
 * Wait until the user's top modal has this callback_id (views are filled in after the ack). Views
 * already open before the action are passed as `before`, so an old modal is not mistaken for the new.
 */
export async function waitForView(t: TestApp, user: string, callbackId: string, before: Set<string> = new Set()): Promise<StoredView> {
  return eventually(
    () => t.fake.views(user).at(-1),
    (v) => v?.callback_id === callbackId && !before.has(v.id),
    10_000,
  ) as Promise<StoredView>;
}

export function openViewIds(t: TestApp, user: string): Set<string> {
  return new Set(t.fake.views(user).map((v) => v.id));
}

/** Blocks (or anything) as searchable text; nothing is `[]`. */
export function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

export interface SayingOptions {
  /** Only messages after the first `after`: how many the user had before the action (`t.fake.ephemerals(user).length`). */
  after?: number;
  timeoutMs?: number;
}

function newestSaying<M extends { text?: string; blocks?: unknown }>(list: () => M[], words: string, opts: SayingOptions): Promise<M> {
  return eventually(
    () =>
      list()
        .slice(opts.after ?? 0)
        .filter((m) => (m.text ?? '').includes(words) || blockText(m.blocks).includes(words))
        .at(-1),
    Boolean,
    opts.timeoutMs,
  ) as Promise<M>;
}

/** The newest ephemeral a user got that says these words. */
export function ephemeralSaying(t: TestApp, user: string, words: string, opts: SayingOptions = {}): Promise<StoredEphemeral> {
  return newestSaying(() => t.fake.ephemerals(user), words, opts);
}

/** The newest DM (message in the bot's IM, replies included) to a user that says these words. */
export function dmSaying(t: TestApp, user: string, words: string, opts: SayingOptions = {}): Promise<StoredMessage> {
  return newestSaying(() => t.fake.messages(user), words, opts);
}

/** `/demo browse` → the catalog modal. */
export async function openCatalog(t: TestApp, user: string, query = ''): Promise<StoredView> {
  const before = openViewIds(t, user);
  const sent = await t.slack.command({ user, text: `browse ${query}`.trim() });
  expect(sent.response.status).toBe(200);
  return waitForView(t, user, 'catalog.browse', before);
}

/** The catalog image row (by GCE name) → its id. */
export async function imageIdOf(t: TestApp, gceName: string): Promise<string> {
  const row = await t.db.selectFrom('images').select('id').where('gce_name', '=', gceName).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return row.id;
}

/** Browse → Details → Launch, as a user clicks it: the launch modal, not submitted (modals open before are not taken for it). */
export async function openLaunchModal(t: TestApp, user = 'U_ALICE', gceName = 'crm-demo'): Promise<StoredView> {
  const before = openViewIds(t, user);
  const browse = await openCatalog(t, user);
  const imageId = await imageIdOf(t, gceName);
  await t.slack.action({ user, on: { viewId: browse.id }, actionId: 'catalog.open_detail', choice: imageId });
  const detail = await waitForView(t, user, 'catalog.detail', new Set([...before, browse.id]));
  await t.slack.action({ user, on: { viewId: detail.id }, actionId: 'catalog.launch', choice: imageId });
  return waitForView(t, user, 'demos.launch', new Set([...before, browse.id, detail.id]));
}

/** Browse → Details → Launch → submit the launch modal (defaults unless given). Returns the launch view id. */
export async function launchFromCatalog(t: TestApp, user: string, gceName: string, choices: Record<string, string> = {}): Promise<string> {
  const launch = await openLaunchModal(t, user, gceName);
  const submitted = await t.slack.submit({ user, viewId: launch.id, values: choices });
  expect(submitted.response.status).toBe(200);
  return launch.id;
}

export async function demoRows(t: TestApp, owner?: string) {
  let q = t.db.selectFrom('demos').selectAll().orderBy('created_at');
  if (owner) q = q.where('owner_id', '=', owner);
  return q.execute();
}

/** Wait for the single demo of a user to reach a state. */
export async function demoInState(t: TestApp, owner: string, state: string, progress?: string) {
  const demo = await eventually(
    async () => (await demoRows(t, owner)).at(-1),
    (d) => d?.state === state && (progress === undefined || d.progress === progress),
    15_000,
  );
  return demo!;
}

/** The status DM of a demo, as the user sees it now. */
export function statusDm(t: TestApp, demo: { dm_channel: string | null; dm_ts: string | null }) {
  if (!demo.dm_channel || !demo.dm_ts) throw new Error('the demo has no status message yet');
  const m = t.fake.message(demo.dm_channel, demo.dm_ts);
  if (!m) throw new Error('status message not found in the fake');
  return m;
}

export type Button = { action_id: string; value: string; text: { text: string } };

/** The buttons in these blocks (in actions blocks and as accessories), only those with this action_id if given. */
export function buttons(blocks: unknown[] | undefined, actionId?: string): Button[] {
  return ((blocks ?? []) as Array<{ accessory?: unknown; elements?: unknown[] }>)
    .flatMap((b) => [b.accessory, ...(b.elements ?? [])])
    .filter((e): e is Button => typeof (e as Button | undefined)?.action_id === 'string')
    .filter((e) => actionId === undefined || e.action_id === actionId);
}

/** Click a button on a demo's status DM. */
export async function clickOnStatusDm(t: TestApp, user: string, demo: { dm_channel: string | null; dm_ts: string | null }, actionId: string) {
  const dm = statusDm(t, demo);
  return t.slack.action({ user, on: { channel: dm.channel, messageTs: dm.ts }, actionId });
}
