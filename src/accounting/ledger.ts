import type { Transaction } from 'kysely';
import type { Database } from '../platform/db-schema.ts';

/**
 * The usage ledger: a demo's VM time as [started_at, ended_at) intervals, written by the same
 * transaction that changes the demo's state. The schema refuses overlaps and a second open interval.
 */

export interface IntervalSubject {
  demoId: string;
  userId: string;
  imageId: string;
  machineType: string;
  zone: string;
}

export async function openInterval(trx: Transaction<Database>, s: IntervalSubject, at: Date, source: 'app' | 'reconciler' = 'app'): Promise<boolean> {
  const open = await trx.selectFrom('usage_intervals').select('id').where('demo_id', '=', s.demoId).where('ended_at', 'is', null).executeTakeFirst();
  if (open) return false;
  // Never start before the last one ended (clock skew between replicas, or a fast stop/start).
  const last = await trx
    .selectFrom('usage_intervals')
    .select('ended_at')
    .where('demo_id', '=', s.demoId)
    .orderBy('ended_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const start = last?.ended_at && last.ended_at > at ? last.ended_at : at;
  await trx
    .insertInto('usage_intervals')
    .values({ demo_id: s.demoId, user_id: s.userId, image_id: s.imageId, machine_type: s.machineType, zone: s.zone, started_at: start, ended_at: null, source })
    .execute();
  return true;
}

export async function closeInterval(trx: Transaction<Database>, demoId: string, at: Date): Promise<boolean> {
  const open = await trx
    .selectFrom('usage_intervals')
    .select(['id', 'started_at'])
    .where('demo_id', '=', demoId)
    .where('ended_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!open) return false;
  if (at <= open.started_at) {
    // Nothing was used: an empty interval is not a row (the schema requires end > start).
    await trx.deleteFrom('usage_intervals').where('id', '=', open.id).execute();
  } else {
    await trx.updateTable('usage_intervals').set({ ended_at: at }).where('id', '=', open.id).execute();
  }
  return true;
}
