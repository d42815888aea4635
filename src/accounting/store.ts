import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../audit/store.ts';
import type { Db } from '../platform/db.ts';
import { regionOfZone, regionOfZoneSql } from '../platform/compute/port.ts';
import type { Database } from '../platform/db-schema.ts';
import { ANY_REGION } from './money.ts';
import { DISCOUNT_SQL } from '../prices/store.ts';

/**
 * Queries over the ledger. Hours are never stored: every figure is summed from intervals, each cut
 * to the period ([start, end)) and, while its VM still runs, to `now`.
 */

type DbOrTrx = Db | Transaction<Database>;

export interface UsageFigures {
  hours: number;
  cost: number;
  /** Hours of machine types with no price (shown as "price unknown"). */
  unpricedHours: number;
  prevHours: number;
  prevCost: number;
}

export interface UsageSummary {
  byUser: Map<string, UsageFigures>;
  byImage: Map<string, UsageFigures>;
  total: UsageFigures;
}

export interface UsageQuery {
  start: Date;
  end: Date;
  now: Date;
  /** Also sum [previousStart, start) for the change against the previous period. */
  previousStart?: Date;
  userId?: string;
}

const ZERO: UsageFigures = { hours: 0, cost: 0, unpricedHours: 0, prevHours: 0, prevCost: 0 };

/**
 * One pass over the intervals overlapping [previousStart, end) — found with the usage_period GiST
 * index — summed per user, image, machine type and zone, priced (a handful of rows per user), then
 * grouped by user, by image and in total (GROUPING SETS).
 */
export function usageSummarySql(q: UsageQuery) {
  const prevStart = q.previousStart ?? q.start;
  const upTo = sql`coalesce(u.ended_at, ${q.now}::timestamptz)`;
  const seconds = (from: Date, to: Date) =>
    sql`greatest(extract(epoch from least(${upTo}, ${to}::timestamptz) - greatest(u.started_at, ${from}::timestamptz)), 0)::float8`;
  const byUser = q.userId === undefined ? sql`` : sql`AND u.user_id = ${q.userId}`;
  return sql<{
    gu: number;
    gi: number;
    user_id: string | null;
    image_id: string | null;
    cur_s: number;
    cur_cost: number;
    unpriced_s: number;
    prev_s: number;
    prev_cost: number;
  }>`
    WITH iv AS (
      SELECT u.user_id, u.image_id, u.machine_type, u.zone, sum(${seconds(q.start, q.end)}) AS cur, sum(${seconds(prevStart, q.start)}) AS prev
      FROM usage_intervals u
      WHERE tstzrange(u.started_at, u.ended_at, '[)') && tstzrange(${prevStart}::timestamptz, ${q.end}::timestamptz, '[)')
      ${byUser}
      GROUP BY 1, 2, 3, 4
    ), priced AS (
      SELECT iv.*, coalesce(p.hourly_price, d.hourly_price)::float8 * ${DISCOUNT_SQL} / 3600 AS price_s
      FROM iv
      LEFT JOIN machine_prices p ON p.machine_type = iv.machine_type AND p.region = ${regionOfZoneSql('iv.zone')}
      LEFT JOIN machine_prices d ON d.machine_type = iv.machine_type AND d.region = ${ANY_REGION}
    )
    SELECT GROUPING(user_id) AS gu, GROUPING(image_id) AS gi, user_id, image_id::text AS image_id,
           sum(cur) AS cur_s, coalesce(sum(cur * price_s), 0) AS cur_cost,
           coalesce(sum(cur) FILTER (WHERE price_s IS NULL), 0) AS unpriced_s,
           sum(prev) AS prev_s, coalesce(sum(prev * price_s), 0) AS prev_cost
    FROM priced
    GROUP BY GROUPING SETS ((user_id), (image_id), ())`;
}

export async function usageSummary(db: DbOrTrx, q: UsageQuery): Promise<UsageSummary> {
  const { rows } = await usageSummarySql(q).execute(db);
  const out: UsageSummary = { byUser: new Map(), byImage: new Map(), total: { ...ZERO } };
  for (const r of rows) {
    const figures: UsageFigures = {
      hours: Number(r.cur_s ?? 0) / 3600,
      cost: Number(r.cur_cost ?? 0),
      unpricedHours: Number(r.unpriced_s ?? 0) / 3600,
      prevHours: Number(r.prev_s ?? 0) / 3600,
      prevCost: Number(r.prev_cost ?? 0),
    };
    if (Number(r.gu) === 0) out.byUser.set(r.user_id!, figures);
    else if (Number(r.gi) === 0) out.byImage.set(r.image_id!, figures);
    else out.total = figures;
  }
  return out;
}

export interface RunningDemo {
  demoId: string;
  userId: string;
  imageId: string;
  imageTitle: string;
  demoName: string;
  machineType: string;
  zone: string;
  since: Date;
}

/** VMs running now (open intervals), oldest first, and how many there are in all. */
export async function runningNow(db: DbOrTrx, opts: { userId?: string; limit: number }): Promise<{ demos: RunningDemo[]; count: number }> {
  let q = db
    .selectFrom('usage_intervals as u')
    .innerJoin('demos as d', 'd.id', 'u.demo_id')
    .leftJoin('images as i', 'i.id', 'u.image_id')
    .where('u.ended_at', 'is', null);
  if (opts.userId !== undefined) q = q.where('u.user_id', '=', opts.userId);
  const [rows, count] = await Promise.all([
    q
      .select(['u.demo_id', 'u.user_id', 'u.image_id', 'u.machine_type', 'u.zone', 'u.started_at', 'd.display_name', 'i.title'])
      .orderBy('u.started_at')
      .limit(opts.limit)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    count: Number(count.n),
    demos: rows.map((r) => ({
      demoId: r.demo_id,
      userId: r.user_id,
      imageId: r.image_id,
      imageTitle: r.title ?? r.display_name,
      demoName: r.display_name,
      machineType: r.machine_type,
      zone: r.zone,
      since: r.started_at,
    })),
  };
}

/** The last instant before `before` at which some demo VM ran (an open interval runs until `now`), or null. */
export async function lastUsageBefore(db: DbOrTrx, before: Date, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('usage_intervals')
    .select(sql<Date | null>`max(least(coalesce(ended_at, ${now}), ${before}))`.as('at'))
    .where('started_at', '<', before)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', eb.ref('started_at'))]))
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

export interface EstimatedInterval {
  userId: string;
  /** The demo's display name, as people read it everywhere else. */
  demoName: string;
  /** Hours of it inside the period. */
  hours: number;
}

/**
 * Intervals of the period whose end is a guess (a VM deleted outside the app), the longest first,
 * `limit` of them listed, with how many and how many hours there are in all.
 */
export async function estimatedIntervals(
  db: DbOrTrx,
  p: { start: Date; end: Date; limit: number },
): Promise<{ intervals: EstimatedInterval[]; count: number; hours: number }> {
  const seconds = sql<number>`extract(epoch from least(u.ended_at, ${p.end}::timestamptz) - greatest(u.started_at, ${p.start}::timestamptz))::float8`;
  const rows = await db
    .selectFrom('usage_intervals as u')
    .innerJoin('demos as d', 'd.id', 'u.demo_id')
    .select(['u.user_id', 'd.display_name', seconds.as('s')])
    .where('u.estimated', '=', true)
    .where('u.ended_at', '>', p.start)
    .where('u.started_at', '<', p.end)
    .orderBy('s', 'desc')
    .execute();
  return {
    count: rows.length,
    hours: rows.reduce((sum, r) => sum + Number(r.s), 0) / 3600,
    intervals: rows.slice(0, p.limit).map((r) => ({ userId: r.user_id, demoName: r.display_name, hours: Number(r.s) / 3600 })),
  };
}

export async function imageTitles(db: DbOrTrx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('images').select(['id', 'title']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.title]));
}

// ---- prices ----------------------------------------------------------------------------------

export interface Price {
  machineType: string;
  region: string;
  hourlyPrice: number;
  currency: string;
  updatedBy: string | null;
  updatedAt: Date;
  /** An admin's price wins over the catalog's, which is kept beside it. */
  source: 'catalog' | 'override';
  catalogPrice: number | null;
}

export async function listPrices(db: DbOrTrx, machineType?: string): Promise<Price[]> {
  let q = db.selectFrom('machine_prices').selectAll();
  if (machineType) q = q.where('machine_type', '=', machineType);
  const rows = await q.orderBy('machine_type').orderBy('region').execute();
  return rows.map((r) => ({
    machineType: r.machine_type,
    region: r.region,
    hourlyPrice: Number(r.hourly_price),
    currency: r.currency,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
    source: r.source,
    catalogPrice: r.catalog_price === null ? null : Number(r.catalog_price),
  }));
}

/** Set one price and audit the change, in one transaction. Returns the price it replaced. */
export async function setPrice(db: Db, p: { machineType: string; region: string; hourlyPrice: number; actorId: string; now: Date }): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('machine_prices')
      .select('hourly_price')
      .where('machine_type', '=', p.machineType)
      .where('region', '=', p.region)
      .forUpdate()
      .executeTakeFirst();
    await trx
      .insertInto('machine_prices')
      .values({
        machine_type: p.machineType,
        region: p.region,
        hourly_price: p.hourlyPrice,
        source: 'override',
        currency: 'USD',
        updated_by: p.actorId,
        updated_at: p.now,
      })
      .onConflict((oc) =>
        oc.columns(['machine_type', 'region']).doUpdateSet({ hourly_price: p.hourlyPrice, source: 'override', updated_by: p.actorId, updated_at: p.now }),
      )
      .execute();
    await recordAudit(trx, {
      at: p.now,
      actorId: p.actorId,
      action: 'price.set',
      resourceKind: 'machine_price',
      resourceId: `${p.machineType}/${p.region}`,
      before: before ? { hourlyPrice: Number(before.hourly_price) } : null,
      after: { hourlyPrice: p.hourlyPrice, currency: 'USD' },
    });
    return before ? Number(before.hourly_price) : null;
  });
}

/** The hourly price of a machine type in a zone's region (or its any-region price), discount applied; null if unknown. */
export async function hourlyPrice(db: DbOrTrx, machineType: string, zone: string): Promise<number | null> {
  const rows = await db
    .selectFrom('machine_prices')
    .select(['region', sql<number>`hourly_price * ${DISCOUNT_SQL}`.as('price')])
    .where('machine_type', '=', machineType)
    .where('region', 'in', [regionOfZone(zone), ANY_REGION])
    .execute();
  const exact = rows.find((r) => r.region !== ANY_REGION) ?? rows[0];
  return exact ? Number(exact.price) : null;
}
