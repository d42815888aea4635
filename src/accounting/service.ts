import type { AppContext } from '../context.ts';
import { ForbiddenError, UserError } from '../errors.ts';
import { can, type Actor } from '../policy.ts';
import type { DigestSchedule } from './digest-schedule.ts';
import { deleteSubscription, lastSent, listSubscriptions, upsertSubscription, type Subscription } from './digest-store.ts';
import { parseDiscountArgs, parsePriceArgs, parseUsageArgs, type Subject } from './parse.ts';
import { recordAudit } from '../audit/store.ts';
import { discountFactor, setDiscountFactor } from '../prices/store.ts';
import type { Period } from './periods.ts';
import { poolUsage, type PoolUsage } from './pool-usage.ts';
import { suspendedUsage, type SuspendedUsage } from './suspended-usage.ts';
import { imageTitles, listPrices, runningNow, setPrice, usageSummary, type Price, type RunningDemo, type UsageFigures } from './store.ts';

/** Use cases of accounting: who may see what, and what each command reads or changes. No Slack types. */

export interface UsageReport {
  subject: Subject;
  /** Whose usage (null: everyone's). */
  subjectUserId: string | null;
  period: Period;
  /** Most hours first. */
  users: Array<{ userId: string } & UsageFigures>;
  images: Array<{ imageId: string; title: string } & UsageFigures>;
  total: UsageFigures;
  running: { demos: RunningDemo[]; count: number };
  now: Date;
  /** The admin's discount factor, applied to every cost (1: list prices). */
  discount: number;
  /** Everyone's report only: the warm pool's own line. */
  pool: PoolUsage | null;
  /** The subject's (or everyone's) suspended hours, their saving, and the idle hours kept running. */
  suspended: SuspendedUsage;
}

export const REPORT_ROWS = 15;

function authorize(actor: Actor, decision: ReturnType<typeof can>): void {
  if (!decision.allowed) throw new ForbiddenError(decision.reason ?? 'You are not allowed to do that.');
}

export async function usageReport(ctx: AppContext, actor: Actor, rest: string): Promise<UsageReport> {
  const now = ctx.clock.now();
  const { subject, period } = parseUsageArgs(rest, now, ctx.config.orgTimeZone);
  const userId = subject.kind === 'all' ? undefined : subject.kind === 'me' ? actor.userId : subject.userId;
  authorize(actor, can(actor, 'view_usage', { kind: 'usage', subjectUserId: userId ?? 'all' }));
  const [summary, running, discount, pool, suspended] = await Promise.all([
    usageSummary(ctx.db, { start: period.start, end: period.end, now, userId }),
    runningNow(ctx.db, { userId, limit: 10 }),
    discountFactor(ctx.db),
    userId ? null : poolUsage(ctx.db, period, now),
    suspendedUsage(ctx.db, period, now, userId),
  ]);
  const ranked = (m: Map<string, UsageFigures>) => [...m].filter(([, f]) => f.hours > 0).sort(([, a], [, b]) => b.hours - a.hours);
  const images = ranked(summary.byImage).slice(0, REPORT_ROWS);
  const titles = await imageTitles(
    ctx.db,
    images.map(([id]) => id),
  );
  return {
    subject,
    subjectUserId: userId ?? null,
    period,
    users: ranked(summary.byUser).map(([userId, f]) => ({ userId, ...f })),
    images: images.map(([imageId, f]) => ({ imageId, title: titles.get(imageId) ?? 'Removed image', ...f })),
    total: summary.total,
    running,
    now,
    discount,
    pool: pool?.vms ? pool : null,
    suspended,
  };
}

// ---- prices ---------------------------------------------------------------------------------------

export async function changePrice(
  ctx: AppContext,
  actor: Actor,
  words: string[],
): Promise<{ price: Pick<Price, 'machineType' | 'region' | 'hourlyPrice'>; previous: number | null }> {
  authorize(actor, can(actor, 'price_admin', { kind: 'org' }));
  const p = parsePriceArgs(words);
  const previous = await setPrice(ctx.db, { ...p, actorId: actor.userId, now: ctx.clock.now() });
  return { price: p, previous };
}

/** `/demo admin discount 15` (percent off list prices), `off`; audited. Returns the factor now in force. */
export async function changeDiscount(ctx: AppContext, actor: Actor, words: string[]): Promise<number> {
  authorize(actor, can(actor, 'price_admin', { kind: 'org' }));
  const factor = parseDiscountArgs(words);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await discountFactor(trx);
    await setDiscountFactor(trx, factor, actor.userId, now);
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'price.discount',
      resourceKind: 'setting',
      resourceId: 'prices.discount',
      before: { factor: before },
      after: { factor },
    });
  });
  return factor;
}

export async function pricesFor(ctx: AppContext, actor: Actor, machineType?: string): Promise<Price[]> {
  authorize(actor, can(actor, 'price_admin', { kind: 'org' }));
  return listPrices(ctx.db, machineType?.toLowerCase());
}

// ---- digest subscriptions -----------------------------------------------------------------------

export function authorizeDigestAdmin(actor: Actor): void {
  authorize(actor, can(actor, 'digest_admin', { kind: 'org' }));
}

export async function subscribe(
  ctx: AppContext,
  actor: Actor,
  s: { channelId: string; schedule: DigestSchedule },
): Promise<{ subscription: Subscription; created: boolean }> {
  authorizeDigestAdmin(actor);
  return upsertSubscription(ctx.db, { ...s, actorId: actor.userId, now: ctx.clock.now() });
}

export async function unsubscribe(ctx: AppContext, actor: Actor, channelId: string): Promise<Subscription> {
  authorizeDigestAdmin(actor);
  const removed = await deleteSubscription(ctx.db, channelId, actor.userId, ctx.clock.now());
  if (!removed) throw new UserError(`<#${channelId}> has no usage digest. \`/demo digest list\` shows the channels that do.`);
  return removed;
}

export async function subscriptions(ctx: AppContext, actor: Actor): Promise<{ subscriptions: Subscription[]; lastSent: Map<string, Date>; now: Date }> {
  authorizeDigestAdmin(actor);
  const [subs, sent] = await Promise.all([listSubscriptions(ctx.db), lastSent(ctx.db)]);
  return { subscriptions: subs, lastSent: sent, now: ctx.clock.now() };
}
