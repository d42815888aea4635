import type { Transaction } from 'kysely';
import { monthOf } from '../accounting/periods.ts';
import { hourlyPrice, usageSummary } from '../accounting/store.ts';
import { formatMoney } from '../accounting/money.ts';
import { recordAudit } from '../audit/store.ts';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { ForbiddenError, UserError } from '../errors.ts';
import type { Db } from '../platform/db.ts';
import type { Database } from '../platform/db-schema.ts';
import { can, type Actor } from '../policy.ts';
import * as store from './store.ts';

type DbOrTrx = Db | Transaction<Database>;

export interface BudgetStatus {
  maxRunning: number;
  running: number;
  monthlyLimit: number;
  /** Spent this month (intervals, up to now), and still reserved by live demos until they expire and by bookings. */
  spent: number;
  reserved: number;
  /** True when the user's limits are an admin's override, not the defaults. */
  overridden: boolean;
}

/**
 * Where a user stands: month-to-date cost from the ledger, plus what live demos have reserved — the
 * rest of their lease at their hourly price (a running VM may run until it expires). A booking
 * reserves its whole expected cost (its lifetime from ready-by) from the moment it is booked, whatever
 * the month it falls in, and holds a place in the running limit. Months are in ORG_TIME_ZONE.
 */
export async function budgetStatus(db: DbOrTrx, config: Config, userId: string, now: Date): Promise<BudgetStatus> {
  const override = await store.getOverride(db, userId);
  const month = monthOf(now, config.orgTimeZone);
  const usage = await usageSummary(db, { start: month.start, end: month.end, now, userId });
  let reserved = 0;
  const live = await store.liveDemos(db, userId);
  // One price lookup per machine type and zone, not per demo (a user with 900 live demos made 900 queries).
  const prices = new Map<string, Promise<number | null>>();
  for (const d of live) {
    const key = `${d.machineType}@${d.zone}`;
    if (!prices.has(key)) prices.set(key, hourlyPrice(db, d.machineType, d.zone));
    const price = (await prices.get(key)!) ?? 0;
    const booked = d.state === 'booked' && d.readyBy !== null;
    const from = booked && d.readyBy! > now ? d.readyBy! : now;
    const until = booked || d.expiresAt < month.end ? d.expiresAt : month.end;
    reserved += Math.max(0, (until.getTime() - from.getTime()) / 3_600_000) * price;
  }
  return {
    maxRunning: override?.maxRunning ?? config.budget.maxRunning,
    running: live.length,
    monthlyLimit: override?.monthlyLimit ?? config.budget.monthlyUsd,
    spent: usage.total.cost,
    reserved,
    overridden: override !== null,
  };
}

/**
 * Inside the launch's own transaction: serialise the user's launches, then refuse one that would
 * pass a limit, saying the numbers. The new demo's lifetime cost is what it reserves.
 */
export async function assertLaunchWithinBudget(
  trx: Transaction<Database>,
  config: Config,
  launch: { userId: string; machineType: string; zone: string; ttlHours: number },
  now: Date,
): Promise<void> {
  await store.lockUser(trx, launch.userId);
  const s = await budgetStatus(trx, config, launch.userId, now);
  if (s.running + 1 > s.maxRunning) {
    throw new UserError(
      `You already have ${s.running} demo${s.running === 1 ? '' : 's'} running, and your limit is ${s.maxRunning}. Stop or delete one (\`/demo list\`), or ask an admin to raise your limit.`,
    );
  }
  const price = (await hourlyPrice(trx, launch.machineType, launch.zone)) ?? 0;
  const thisOne = price * launch.ttlHours;
  if (s.spent + s.reserved + thisOne > s.monthlyLimit + 1e-9) {
    throw new UserError(
      `This launch would take your month past your ${formatMoney(s.monthlyLimit)} budget: ${formatMoney(s.spent)} spent so far, ` +
        `${formatMoney(s.reserved)} reserved by demos still running, and ${formatMoney(thisOne)} for this one ` +
        `(${launch.ttlHours} h × ${formatMoney(price)}/h for ${launch.machineType}). Pick a shorter time or a smaller machine, stop a demo, or ask an admin.`,
    );
  }
}

export interface BudgetChange {
  userId: string;
  maxRunning?: number;
  monthlyLimit?: number;
  reset?: boolean;
}

/** `/demo admin budget @user [running N] [monthly USD] | reset` — audited. */
export async function changeBudget(ctx: AppContext, actor: Actor, change: BudgetChange): Promise<BudgetStatus> {
  const decision = can(actor, 'budget_admin', { kind: 'org' });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await store.getOverride(trx, change.userId);
    if (change.reset) {
      await store.clearOverride(trx, change.userId);
    } else {
      const next = { maxRunning: change.maxRunning ?? before?.maxRunning ?? null, monthlyLimit: change.monthlyLimit ?? before?.monthlyLimit ?? null };
      await store.setOverride(trx, change.userId, next, actor.userId, now);
    }
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: change.reset ? 'budget.reset' : 'budget.set',
      resourceKind: 'user',
      resourceId: change.userId,
      before,
      after: change.reset ? null : change,
    });
  });
  return budgetStatus(ctx.db, ctx.config, change.userId, now);
}
