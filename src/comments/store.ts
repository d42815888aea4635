import type { Selectable, Transaction } from 'kysely';
import type { CommentsTable, Database } from '../platform/db-schema.ts';
import type { Db } from '../platform/db.ts';

type DbOrTrx = Db | Transaction<Database>;

/** Comment bodies are stored as Slack mrkdwn: as Slack sends a reply, or the app's modal input escaped. */
export interface Comment {
  id: string;
  imageId: string;
  authorId: string;
  body: string;
  slackChannel: string | null;
  slackTs: string | null;
  createdAt: Date;
  editedAt: Date | null;
}

export const MAX_BODY = 4000;

export async function insertComment(
  db: DbOrTrx,
  c: { imageId: string; authorId: string; body: string; slackChannel: string | null; slackTs: string | null; now: Date },
): Promise<string | null> {
  // A Slack retry of the same message event hits the unique (slack_channel, slack_ts): stored once.
  const row = await db
    .insertInto('comments')
    .values({
      image_id: c.imageId,
      author_id: c.authorId,
      body: c.body,
      slack_channel: c.slackChannel,
      slack_ts: c.slackTs,
      created_at: c.now,
      edited_at: null,
      deleted_at: null,
    })
    .onConflict((oc) => oc.columns(['slack_channel', 'slack_ts']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

function toComment(r: Selectable<CommentsTable>): Comment & { deleted: boolean } {
  return {
    id: r.id,
    imageId: r.image_id,
    authorId: r.author_id,
    body: r.body,
    slackChannel: r.slack_channel,
    slackTs: r.slack_ts,
    createdAt: r.created_at,
    editedAt: r.edited_at,
    deleted: r.deleted_at !== null,
  };
}

export async function getComment(db: DbOrTrx, id: string): Promise<(Comment & { deleted: boolean }) | null> {
  const r = await db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toComment(r) : null;
}

export async function recordPosted(db: DbOrTrx, id: string, channel: string, ts: string): Promise<void> {
  await db.updateTable('comments').set({ slack_channel: channel, slack_ts: ts }).where('id', '=', id).where('slack_ts', 'is', null).execute();
}

/** Follow an edit made in Slack. */
export async function editBySlack(db: DbOrTrx, channel: string, ts: string, body: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('comments')
    .set({ body, edited_at: now })
    .where('slack_channel', '=', channel)
    .where('slack_ts', '=', ts)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Follow a deletion made in Slack. */
export async function deleteBySlack(db: DbOrTrx, channel: string, ts: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('comments')
    .set({ deleted_at: now })
    .where('slack_channel', '=', channel)
    .where('slack_ts', '=', ts)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The image whose catalog thread this is (index images_thread). */
export async function imageByThread(db: DbOrTrx, channel: string, threadTs: string): Promise<string | null> {
  const row = await db
    .selectFrom('images')
    .select('id')
    .where('thread_channel', '=', channel)
    .where('thread_ts', '=', threadTs)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface ThreadState {
  channel: string | null;
  ts: string | null;
}

export async function threadOf(db: DbOrTrx, imageId: string): Promise<ThreadState | null> {
  const row = await db
    .selectFrom('images')
    .select(['thread_channel', 'thread_ts'])
    .where('id', '=', imageId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? { channel: row.thread_channel, ts: row.thread_ts } : null;
}

/** Swap the thread pointer only from what we last saw: a claim, its release, the posted ts. */
export async function swapThread(db: DbOrTrx, imageId: string, from: ThreadState, to: ThreadState): Promise<boolean> {
  let q = db.updateTable('images').set({ thread_channel: to.channel, thread_ts: to.ts }).where('id', '=', imageId);
  q = from.ts === null ? q.where('thread_ts', 'is', null) : q.where('thread_ts', '=', from.ts);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Comments of an image its owner has not been told about yet, oldest first (deleted ones too, to close them). */
export async function unnotified(db: DbOrTrx, imageId: string, limit: number): Promise<Array<Comment & { deleted: boolean }>> {
  const rows = await db
    .selectFrom('comments')
    .selectAll()
    .where('image_id', '=', imageId)
    .where('owner_notified_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toComment);
}

export async function markOwnerNotified(db: DbOrTrx, ids: string[], now: Date): Promise<void> {
  if (ids.length) await db.updateTable('comments').set({ owner_notified_at: now }).where('id', 'in', ids).where('owner_notified_at', 'is', null).execute();
}

/** Has the user muted DMs about comments on their images? (No row: not muted.) */
export async function commentDmsMuted(db: DbOrTrx, userId: string): Promise<boolean> {
  const row = await db.selectFrom('notification_prefs').select('comment_dms_muted').where('user_id', '=', userId).executeTakeFirst();
  return row?.comment_dms_muted ?? false;
}

export async function setCommentDmsMuted(db: DbOrTrx, userId: string, muted: boolean, now: Date): Promise<void> {
  await db
    .insertInto('notification_prefs')
    .values({ user_id: userId, comment_dms_muted: muted, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ comment_dms_muted: muted, updated_at: now }))
    .execute();
}
