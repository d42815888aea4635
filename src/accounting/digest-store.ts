import { recordAudit, type AuditEntry } from '../audit/store.ts';
import type { Db } from '../platform/db.ts';
import { fromCron, toCron, type DigestSchedule } from './digest-schedule.ts';

/** Digest subscriptions and the record of each digest posted (one row per subscription and period). */

export interface Subscription {
  id: string;
  channelId: string;
  schedule: DigestSchedule;
  createdBy: string;
  createdAt: Date;
  /** Periods whose firing came before this are not caught up on. */
  scheduleSince: Date;
}

type SubscriptionRow = {
  id: string;
  channel_id: string;
  cadence: 'weekly' | 'daily';
  cron: string;
  time_zone: string;
  created_by: string;
  created_at: Date;
  schedule_since: Date | null;
};

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    channelId: r.channel_id,
    schedule: fromCron(r.cron, r.cadence, r.time_zone),
    createdBy: r.created_by,
    createdAt: r.created_at,
    scheduleSince: r.schedule_since ?? r.created_at,
  };
}

export async function listSubscriptions(db: Db): Promise<Subscription[]> {
  const rows = await db.selectFrom('digest_subscriptions').selectAll().orderBy('created_at').execute();
  return rows.map(toSubscription);
}

export async function subscriptionOf(db: Db, channelId: string): Promise<Subscription | null> {
  const row = await db.selectFrom('digest_subscriptions').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
  return row ? toSubscription(row) : null;
}

export async function getSubscription(db: Db, id: string): Promise<Subscription | null> {
  const row = await db.selectFrom('digest_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSubscription(row) : null;
}

function audit(action: string, actorId: string, channelId: string, at: Date, before: unknown, after: unknown): AuditEntry {
  return { at, actorId, action, resourceKind: 'digest_subscription', resourceId: channelId, before, after };
}

/** Subscribe a channel, or change its schedule when it already is; audited. */
export async function upsertSubscription(
  db: Db,
  s: { channelId: string; schedule: DigestSchedule; actorId: string; now: Date },
): Promise<{ subscription: Subscription; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('digest_subscriptions').selectAll().where('channel_id', '=', s.channelId).forUpdate().executeTakeFirst();
    const values = { cadence: s.schedule.cadence, cron: toCron(s.schedule), time_zone: s.schedule.timeZone, schedule_since: s.now };
    const row = before
      ? await trx.updateTable('digest_subscriptions').set(values).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow()
      : await trx
          .insertInto('digest_subscriptions')
          .values({ channel_id: s.channelId, ...values, created_by: s.actorId, created_at: s.now })
          .returningAll()
          .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      audit(before ? 'digest.reschedule' : 'digest.subscribe', s.actorId, s.channelId, s.now, before && { cron: before.cron, timeZone: before.time_zone }, {
        cron: values.cron,
        timeZone: values.time_zone,
      }),
    );
    return { subscription: toSubscription(row), created: !before };
  });
}

export async function deleteSubscription(db: Db, channelId: string, actorId: string, now: Date): Promise<Subscription | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('digest_subscriptions').where('channel_id', '=', channelId).returningAll().executeTakeFirst();
    if (row) await recordAudit(trx, audit('digest.unsubscribe', actorId, channelId, now, { cron: row.cron, timeZone: row.time_zone }, null));
    return row ? toSubscription(row) : null;
  });
}

/** Whether a subscription has had a digest posted yet (its first one reports the last period with usage). */
export async function hasSentDigest(db: Db, subscriptionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('digest_posts')
    .select('state')
    .where('subscription_id', '=', subscriptionId)
    .where('state', '=', 'sent')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The newest sent digest of each subscription (for `/demo digest list`). */
export async function lastSent(db: Db): Promise<Map<string, Date>> {
  const rows = await db
    .selectFrom('digest_posts')
    .select(['subscription_id', (eb) => eb.fn.max('sent_at').as('at')])
    .where('state', '=', 'sent')
    .groupBy('subscription_id')
    .execute();
  return new Map(rows.filter((r) => r.at).map((r) => [r.subscription_id, r.at as Date]));
}

// ---- posts: claim, lease, record -----------------------------------------------------------------

export interface PostKey {
  subscriptionId: string;
  periodStart: Date;
}

export type Claim =
  | { claimed: false; reason: 'sent' | 'busy' }
  /** resume: an earlier attempt may have posted (look before posting); messageTs: it did, and said so. */
  | { claimed: true; resume: boolean; messageTs: string | null; late: boolean; attempts: number };

/**
 * Take the right to send one digest: the first caller inserts the row; later callers take it over
 * only once the holder's lease ran out (it crashed or gave up) — never while it may be posting.
 */
export async function claimPost(db: Db, k: PostKey & { periodEnd: Date; late: boolean; me: string; now: Date; leaseMs: number }): Promise<Claim> {
  const leaseUntil = new Date(k.now.getTime() + k.leaseMs);
  const inserted = await db
    .insertInto('digest_posts')
    .values({
      subscription_id: k.subscriptionId,
      period_start: k.periodStart,
      period_end: k.periodEnd,
      state: 'sending',
      message_ts: null,
      late: k.late,
      created_at: k.now,
      claimed_by: k.me,
      lease_until: leaseUntil,
      attempts: 1,
      sent_at: null,
    })
    .onConflict((oc) => oc.columns(['subscription_id', 'period_start']).doNothing())
    .returning('late')
    .executeTakeFirst();
  if (inserted) return { claimed: true, resume: false, messageTs: null, late: inserted.late, attempts: 1 };
  const taken = await db
    .updateTable('digest_posts')
    .set((eb) => ({ claimed_by: k.me, lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
    .where('subscription_id', '=', k.subscriptionId)
    .where('period_start', '=', k.periodStart)
    .where('state', '=', 'sending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', k.now)]))
    .returning(['message_ts', 'late', 'attempts'])
    .executeTakeFirst();
  if (taken) return { claimed: true, resume: true, messageTs: taken.message_ts, late: taken.late, attempts: taken.attempts };
  const row = await db
    .selectFrom('digest_posts')
    .select('state')
    .where('subscription_id', '=', k.subscriptionId)
    .where('period_start', '=', k.periodStart)
    .executeTakeFirst();
  return { claimed: false, reason: row?.state === 'sent' ? 'sent' : 'busy' };
}

function mine(db: Db, k: PostKey, me: string) {
  return db.updateTable('digest_posts').where('subscription_id', '=', k.subscriptionId).where('period_start', '=', k.periodStart).where('claimed_by', '=', me);
}

/** The message is in the channel: remember where, before anything else can fail. */
export async function recordMessage(db: Db, k: PostKey, me: string, ts: string): Promise<void> {
  await mine(db, k, me).set({ message_ts: ts }).execute();
}

export async function markSent(db: Db, k: PostKey, me: string, now: Date): Promise<void> {
  await mine(db, k, me).set({ state: 'sent', sent_at: now, lease_until: null }).execute();
}

/** Give the claim back after a failure: the next tick after `retryAt` tries again. */
export async function releasePost(db: Db, k: PostKey, me: string, retryAt: Date): Promise<void> {
  await mine(db, k, me).where('state', '=', 'sending').set({ lease_until: retryAt }).execute();
}

export async function postState(db: Db, k: PostKey): Promise<'sending' | 'sent' | null> {
  const row = await db
    .selectFrom('digest_posts')
    .select('state')
    .where('subscription_id', '=', k.subscriptionId)
    .where('period_start', '=', k.periodStart)
    .executeTakeFirst();
  return row?.state ?? null;
}
