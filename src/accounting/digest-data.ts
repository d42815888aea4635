import { discountFactor } from '../prices/store.ts';
import type { Db } from '../platform/db.ts';
import { poolUsage, type PoolUsage } from './pool-usage.ts';
import { suspendedUsage, type SuspendedUsage } from './suspended-usage.ts';
import { previousPeriod, sameKindAt, type Period } from './periods.ts';
import {
  estimatedIntervals,
  imageTitles,
  lastUsageBefore,
  runningNow,
  usageSummary,
  type EstimatedInterval,
  type RunningDemo,
  type UsageFigures,
} from './store.ts';

/** Everything a digest shows, computed from the ledger in two queries (usage, running VMs). */

export interface DigestUser extends UsageFigures {
  userId: string;
}

export interface DigestImage extends UsageFigures {
  imageId: string;
  title: string;
}

export interface DigestData {
  period: Period;
  previous: Period;
  /** Every user with hours in this period or the previous one, most hours first. */
  users: DigestUser[];
  total: UsageFigures;
  topImages: DigestImage[];
  running: {
    demos: RunningDemo[];
    count: number;
  };
  /** The admin's discount factor, applied to every cost (1: list prices); the footer says which. */
  discount: number;
  /** The warm pool's own running and suspended time and cost (never in a user's figures). */
  pool: PoolUsage;
  /** Suspended hours and what they saved, and the idle hours Keep running kept running (never running hours). */
  suspended: SuspendedUsage;
  /** Intervals whose end is a guess (VMs deleted outside the app): how many, their hours, the longest few. */
  estimated: { intervals: EstimatedInterval[]; count: number; hours: number };
}

export const TOP_IMAGES = 5;
export const RUNNING_SHOWN = 10;
export const ESTIMATED_SHOWN = 5;

export async function computeDigest(db: Db, period: Period, now: Date): Promise<DigestData> {
  const previous = previousPeriod(period);
  const [summary, running, discount, estimated, pool, suspended] = await Promise.all([
    usageSummary(db, { start: period.start, end: period.end, now, previousStart: previous.start }),
    runningNow(db, { limit: RUNNING_SHOWN }),
    discountFactor(db),
    estimatedIntervals(db, { start: period.start, end: period.end, limit: ESTIMATED_SHOWN }),
    poolUsage(db, period, now),
    suspendedUsage(db, period, now),
  ]);
  const users = [...summary.byUser].map(([userId, f]) => ({ userId, ...f })).sort(byHours((u) => u.userId));
  const images = [...summary.byImage]
    .filter(([, f]) => f.hours > 0)
    .map(([imageId, f]) => ({ imageId, ...f }))
    .sort(byHours((i) => i.imageId))
    .slice(0, TOP_IMAGES);
  const titles = await imageTitles(
    db,
    images.map((i) => i.imageId),
  );
  return {
    period,
    previous,
    users,
    total: summary.total,
    topImages: images.map((i) => ({ ...i, title: titles.get(i.imageId) ?? 'Removed image' })),
    running,
    discount,
    estimated,
    pool,
    suspended,
  };
}

export function hasUsage(d: DigestData): boolean {
  return d.users.some((u) => u.hours > 0);
}

/**
 * What a digest due for `period` reports. A subscription's first digest never starts empty: when its
 * period had no usage it reports the last full period (day or week alike) that had some, if any.
 */
export async function digestFor(db: Db, period: Period, now: Date, opts: { first: boolean }): Promise<DigestData> {
  const data = await computeDigest(db, period, now);
  if (!opts.first || hasUsage(data)) return data;
  const last = await lastUsageBefore(db, period.start, now);
  return last ? computeDigest(db, sameKindAt(period, new Date(last.getTime() - 1)), now) : data;
}

/** Most hours first, then previous hours, then a stable key: the same data always renders the same. */
function byHours<T extends UsageFigures>(key: (t: T) => string) {
  return (a: T, b: T) => b.hours - a.hours || b.prevHours - a.prevHours || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
