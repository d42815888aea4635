import type { Transaction } from 'kysely';
import type { Database } from '../platform/db-schema.ts';
import { subjectColumns, type IntervalSubject } from './ledger.ts';

/**
 * A demo's suspended time, its own ledger entry beside usage intervals: GCE charges a suspended VM for
 * its memory and disks (priced per GB), never running hours. Written by the transaction that changes
 * the demo's state, like usage intervals.
 */

export async function openSuspended(trx: Transaction<Database>, s: IntervalSubject, at: Date, size: { memoryMb: number; diskGb: number }): Promise<void> {
  await trx
    .insertInto('suspended_intervals')
    .values({
      ...subjectColumns(s),
      memory_mb: size.memoryMb,
      disk_gb: size.diskGb,
      started_at: at,
      ended_at: null,
    })
    .execute();
}

/** Close the demo's open suspended interval (none: null); returns when it began. */
export async function closeSuspended(trx: Transaction<Database>, demoId: string, at: Date): Promise<Date | null> {
  const open = await trx
    .selectFrom('suspended_intervals')
    .select(['id', 'started_at'])
    .where('demo_id', '=', demoId)
    .where('ended_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!open) return null;
  await trx
    .updateTable('suspended_intervals')
    .set({ ended_at: at > open.started_at ? at : open.started_at })
    .where('id', '=', open.id)
    .execute();
  return open.started_at;
}

/** A hand-over of a suspended demo: its suspended time until now is the old owner's, from now the new owner's. */
export async function handOverSuspended(trx: Transaction<Database>, demoId: string, to: string, at: Date): Promise<void> {
  const open = await trx
    .selectFrom('suspended_intervals')
    .selectAll()
    .where('demo_id', '=', demoId)
    .where('ended_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!open) return;
  await closeSuspended(trx, demoId, at);
  const { id: _id, ...rest } = open;
  await trx
    .insertInto('suspended_intervals')
    .values({ ...rest, user_id: to, started_at: at > open.started_at ? at : open.started_at, ended_at: null })
    .execute();
}
