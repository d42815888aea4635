import type { Selectable, Transaction } from 'kysely';
import type { Database, ShareRequestsTable, Visibility } from '../platform/db-schema.ts';
import type { Db } from '../platform/db.ts';
import { recordAudit } from '../audit/store.ts';

type DbOrTrx = Db | Transaction<Database>;

export type ShareStatus = ShareRequestsTable['status'];
export type Outcome = Exclude<ShareStatus, 'pending'>;

export interface ShareRequest {
  id: string;
  imageId: string;
  requesterId: string;
  note: string;
  status: ShareStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  channel: string | null;
  messageTs: string | null;
  createdAt: Date;
}

function toRequest(r: Selectable<ShareRequestsTable>): ShareRequest {
  return {
    id: r.id,
    imageId: r.image_id,
    requesterId: r.requester_id,
    note: r.note,
    status: r.status,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    reason: r.reason,
    channel: r.channel,
    messageTs: r.message_ts,
    createdAt: r.created_at,
  };
}

export async function getRequest(db: DbOrTrx, id: string): Promise<ShareRequest | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db.selectFrom('share_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRequest(row) : null;
}

/** The request whose message in the approvals channel is this one. */
export async function requestByMessage(db: DbOrTrx, channel: string, ts: string): Promise<ShareRequest | null> {
  const row = await db.selectFrom('share_requests').selectAll().where('channel', '=', channel).where('message_ts', '=', ts).executeTakeFirst();
  return row ? toRequest(row) : null;
}

export async function pendingFor(db: DbOrTrx, imageId: string): Promise<ShareRequest | null> {
  const row = await db.selectFrom('share_requests').selectAll().where('image_id', '=', imageId).where('status', '=', 'pending').executeTakeFirst();
  return row ? toRequest(row) : null;
}

export async function insertRequest(
  trx: Transaction<Database>,
  r: { id: string; imageId: string; requesterId: string; note: string; now: Date },
): Promise<ShareRequest> {
  const row = await trx
    .insertInto('share_requests')
    .values({
      id: r.id,
      image_id: r.imageId,
      requester_id: r.requesterId,
      note: r.note,
      status: 'pending',
      decided_by: null,
      decided_at: null,
      reason: null,
      channel: null,
      message_ts: null,
      created_at: r.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRequest(row);
}

/**
 * Close a pending request: the one conditional update that makes a decision single-use. Null when it
 * was no longer pending (someone else decided, it was withdrawn or expired).
 */
export async function close(
  trx: Transaction<Database>,
  id: string,
  to: { status: Outcome; decidedBy: string | null; reason: string | null; now: Date },
): Promise<ShareRequest | null> {
  const row = await trx
    .updateTable('share_requests')
    .set({ status: to.status, decided_by: to.decidedBy, decided_at: to.now, reason: to.reason })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  return row ? toRequest(row) : null;
}

/** Record where the request message is, once. */
export async function recordMessage(db: DbOrTrx, id: string, channel: string, ts: string): Promise<void> {
  await db.updateTable('share_requests').set({ channel, message_ts: ts }).where('id', '=', id).where('message_ts', 'is', null).execute();
}

/** Pending requests created before `cutoff`, oldest first (index share_requests_pending_age). */
export async function pendingOlderThan(db: DbOrTrx, cutoff: Date, limit: number): Promise<ShareRequest[]> {
  const rows = await db
    .selectFrom('share_requests')
    .selectAll()
    .where('status', '=', 'pending')
    .where('created_at', '<', cutoff)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map(toRequest);
}

/** Move an image between visibilities only from the state we expect (never over a concurrent change). */
export async function setVisibility(trx: DbOrTrx, imageId: string, from: Visibility, to: Visibility, now: Date): Promise<boolean> {
  const res = await trx
    .updateTable('images')
    .set({ visibility: to, updated_at: now })
    .where('id', '=', imageId)
    .where('visibility', '=', from)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The audit log, with this capability's `now` naming (see audit/store.ts). */
export function audit(
  trx: DbOrTrx,
  a: { now: Date; actorId: string; action: string; resourceKind: string; resourceId: string; before?: unknown; after?: unknown; requestId?: string | null },
): Promise<void> {
  const { now, ...entry } = a;
  return recordAudit(trx, { at: now, ...entry });
}
