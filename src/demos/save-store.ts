import type { Selectable, Transaction } from 'kysely';
import type { Database, SavesTable } from '../platform/db-schema.ts';
import type { Db } from '../platform/db.ts';

type DbOrTrx = Db | Transaction<Database>;

export type AfterSave = 'keep' | 'stop' | 'delete';

export interface Save {
  id: string;
  demoId: string;
  imageId: string;
  requestedBy: string;
  after: AfterSave;
  priorState: 'running' | 'stopped';
  state: 'creating' | 'done' | 'failed';
  failureReason: string | null;
  createdAt: Date;
}

function toSave(r: Selectable<SavesTable>): Save {
  return {
    id: r.id,
    demoId: r.demo_id,
    imageId: r.image_id,
    requestedBy: r.requested_by,
    after: r.after,
    priorState: r.prior_state,
    state: r.state,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
  };
}

export async function getSave(db: DbOrTrx, id: string): Promise<Save | null> {
  const row = await db.selectFrom('saves').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSave(row) : null;
}

/** The save under way for a demo, if any. */
export async function activeSave(db: DbOrTrx, demoId: string): Promise<Save | null> {
  const row = await db.selectFrom('saves').selectAll().where('demo_id', '=', demoId).where('state', '=', 'creating').executeTakeFirst();
  return row ? toSave(row) : null;
}

/** The newest save of a demo that reached GCE (failed ones may never have). */
export async function lastSave(db: DbOrTrx, demoId: string, opts: { includeFailed?: boolean } = {}): Promise<Save | null> {
  let q = db.selectFrom('saves').selectAll().where('demo_id', '=', demoId);
  if (!opts.includeFailed) q = q.where('state', '<>', 'failed');
  const row = await q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row ? toSave(row) : null;
}

export async function insertSave(trx: Transaction<Database>, s: Omit<Save, 'state' | 'failureReason'>, now: Date): Promise<void> {
  await trx
    .insertInto('saves')
    .values({
      id: s.id,
      demo_id: s.demoId,
      image_id: s.imageId,
      requested_by: s.requestedBy,
      after: s.after,
      prior_state: s.priorState,
      state: 'creating',
      failure_reason: null,
      created_at: s.createdAt,
      updated_at: now,
    })
    .execute();
}

/** Finish a save once: false when it was already finished (a retried job). */
export async function finishSave(trx: DbOrTrx, id: string, to: { state: 'done' } | { state: 'failed'; reason: string }, now: Date): Promise<boolean> {
  const res = await trx
    .updateTable('saves')
    .set({ state: to.state, failure_reason: to.state === 'failed' ? to.reason.slice(0, 2000) : null, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'creating')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
