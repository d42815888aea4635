import type { Transaction } from 'kysely';
import type { Database } from '../platform/db-schema.ts';

/**
 * The usage ledger: a demo's VM time as [started_at, ended_at) intervals, written by the same
 * transaction that changes the demo's state. The schema refuses overlaps and a second open interval.
 * Ends are GCE's own times (lastStartTimestamp, lastStopTimestamp), not when the app got round to
 * noticing: a job resumed after an outage still charges what the VM really ran.
 */

/** How often the reconciler compares the ledger with GCE: the most an estimated end can be off by. */
export const RECONCILE_MINUTES = 5;

export interface IntervalSubject {
  demoId: string;
  userId: string;
  imageId: string;
  machineType: string;
  zone: string;
}

/** An open interval, as a closing rule sees it. */
export interface OpenInterval {
  startedAt: Date;
  /** When the app last saw its VM running (null: rows from before 0009). */
  lastSeenAt: Date | null;
}

/** A time GCE reported, unless it is missing or ahead of our clock (skew): then ours. */
export function reportedOr(reported: Date | undefined, now: Date): Date {
  return reported && reported.getTime() <= now.getTime() ? reported : now;
}

/**
 * Where to close given the stop GCE reports: a stop from before the interval began belongs to an
 * earlier run (the VM stopped again since, unseen), so then the app's `now`.
 */
export function stoppedAt(reported: Date | undefined, now: Date): (open: OpenInterval) => Date {
  return (open) => {
    const at = reportedOr(reported, now);
    return at.getTime() > open.startedAt.getTime() ? at : now;
  };
}

/** The columns a ledger row (running or suspended) keeps of what it is charged to. */
export function subjectColumns(s: IntervalSubject) {
  return { demo_id: s.demoId, user_id: s.userId, image_id: s.imageId, machine_type: s.machineType, zone: s.zone };
}

export async function openInterval(
  trx: Transaction<Database>,
  s: IntervalSubject,
  at: { startedAt: Date; seenAt: Date },
  source: 'app' | 'reconciler' = 'app',
): Promise<boolean> {
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
  const start = last?.ended_at && last.ended_at > at.startedAt ? last.ended_at : at.startedAt;
  await trx
    .insertInto('usage_intervals')
    .values({
      ...subjectColumns(s),
      started_at: start,
      ended_at: null,
      source,
      last_seen_at: at.seenAt,
    })
    .execute();
  return true;
}

/** Close the demo's open interval at `at` (a time, or a rule given the open interval); `estimated` marks a guessed end. */
export async function closeInterval(
  trx: Transaction<Database>,
  demoId: string,
  at: Date | ((open: OpenInterval) => Date),
  opts: { estimated?: boolean } = {},
): Promise<boolean> {
  const open = await trx
    .selectFrom('usage_intervals')
    .select(['id', 'started_at', 'last_seen_at'])
    .where('demo_id', '=', demoId)
    .where('ended_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!open) return false;
  const end = typeof at === 'function' ? at({ startedAt: open.started_at, lastSeenAt: open.last_seen_at }) : at;
  if (end <= open.started_at) {
    // Nothing was used: an empty interval is not a row (the schema requires end > start).
    await trx.deleteFrom('usage_intervals').where('id', '=', open.id).execute();
  } else {
    await trx
      .updateTable('usage_intervals')
      .set({ ended_at: end, ...(opts.estimated ? { estimated: true } : {}) })
      .where('id', '=', open.id)
      .execute();
  }
  return true;
}

/** Move an interval's start or end to the times GCE reports (the caller checked them against its neighbours). */
export async function retimeInterval(trx: Transaction<Database>, id: string, to: { startedAt?: Date; endedAt?: Date }): Promise<void> {
  await trx
    .updateTable('usage_intervals')
    .set({ ...(to.startedAt ? { started_at: to.startedAt } : {}), ...(to.endedAt ? { ended_at: to.endedAt } : {}) })
    .where('id', '=', id)
    .execute();
}
