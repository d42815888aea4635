import type { Scheduler } from '../platform/scheduler.ts';
import { latestFire, periodFor, toCron } from './digest-schedule.ts';
import { getSubscription, listSubscriptions, postState, type Subscription } from './digest-store.ts';
import { sendDigest, type DigestSender, type SendOutcome } from './digest-send.ts';

/**
 * One node-cron task per subscription, in the subscription's time zone. Subscriptions change at
 * runtime (and on other replicas), so a sync task reloads them every minute; the same pass posts any
 * period whose firing was missed (app down, or a failed send), marked late when it is.
 */

export const DIGEST_SYNC_TASK = 'accounting.digest-sync';
export const digestTaskName = (subscriptionId: string) => `digest:${subscriptionId}`;

/** A firing noticed later than this (the app was down) is posted marked late. */
export const LATE_AFTER_MS = 5 * 60_000;
/** node-cron may fire a moment early; a tick this close before a firing belongs to it. */
const EARLY_TOLERANCE_MS = 60_000;

export class DigestTasks {
  readonly #sender: DigestSender;
  readonly #scheduler: Scheduler;
  /** subscription id → cron and zone its task was scheduled with */
  readonly #scheduled = new Map<string, string>();

  constructor(sender: DigestSender, scheduler: Scheduler) {
    this.#sender = sender;
    this.#scheduler = scheduler;
  }

  /** Make the scheduled tasks match the subscriptions table. */
  async load(): Promise<Subscription[]> {
    const subs = await listSubscriptions(this.#sender.ctx.db);
    const ids = new Set(subs.map((s) => s.id));
    for (const id of [...this.#scheduled.keys()]) if (!ids.has(id)) await this.drop(id);
    for (const sub of subs) await this.ensure(sub);
    return subs;
  }

  async ensure(sub: Subscription): Promise<void> {
    const cron = toCron(sub.schedule);
    const signature = `${cron} ${sub.schedule.timeZone}`;
    if (this.#scheduled.get(sub.id) === signature) return;
    await this.drop(sub.id);
    this.#scheduler.add({ name: digestTaskName(sub.id), cron, timezone: sub.schedule.timeZone, tick: async (now) => void (await this.fire(sub.id, now)) });
    this.#scheduled.set(sub.id, signature);
  }

  async drop(subscriptionId: string): Promise<void> {
    if (!this.#scheduled.delete(subscriptionId)) return;
    await this.#scheduler.remove(digestTaskName(subscriptionId));
  }

  /** The cron firing: post the period it reports (read afresh: the subscription may have changed). */
  async fire(subscriptionId: string, now: Date): Promise<SendOutcome | 'unsubscribed'> {
    const sub = await getSubscription(this.#sender.ctx.db, subscriptionId);
    if (!sub) return 'unsubscribed';
    const fireAt = latestFire(sub.schedule, new Date(now.getTime() + EARLY_TOLERANCE_MS));
    return sendDigest(this.#sender, sub, periodFor(sub.schedule, fireAt), { late: now.getTime() - fireAt.getTime() > LATE_AFTER_MS });
  }

  /** Post each subscription's latest period if it is not out yet (one failing channel does not stop the rest). */
  async catchUp(subs: Subscription[], now: Date): Promise<void> {
    const { ctx } = this.#sender;
    for (const sub of subs) {
      const fireAt = latestFire(sub.schedule, now);
      if (fireAt.getTime() < sub.scheduleSince.getTime()) continue;
      const period = periodFor(sub.schedule, fireAt);
      if ((await postState(ctx.db, { subscriptionId: sub.id, periodStart: period.start })) === 'sent') continue;
      try {
        await sendDigest(this.#sender, sub, period, { late: now.getTime() - fireAt.getTime() > LATE_AFTER_MS });
      } catch (err) {
        ctx.log.error({ err, subscription: sub.id, channel: sub.channelId }, 'could not post a digest; will try again');
      }
    }
  }

  /** The sync task's tick (and the start-up pass). */
  async sync(now: Date): Promise<void> {
    await this.catchUp(await this.load(), now);
  }
}
