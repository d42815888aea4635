import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';
import { regionOfZoneSql } from '../platform/compute/port.ts';
import { HOURS_PER_MONTH, runningHourlySql, suspendedRatesSql } from './vm-rates.ts';

/**
 * What auto-suspend saved in a period, from the suspended_intervals ledger (never running hours):
 * hours suspended, what they cost (memory and disks kept), what running those hours would have cost,
 * and so the saving; plus the idle hours that ran anyway because someone pressed Keep running.
 * Every interval is cut to the period and, while still open, to `now`.
 */

export interface SuspendedFigures {
  hours: number;
  /** Memory and disk storage while suspended. */
  storageCost: number;
  /** The same hours running, at the machine type's hourly price in its region. */
  runningCost: number;
  /** runningCost − storageCost. */
  saved: number;
  /** False when a price was missing: the line then says so rather than guess. */
  costKnown: boolean;
}

/** Idle hours kept running by Keep running presses of one person on one demo. */
export interface KeptRunning {
  /** Who pressed Keep running. */
  userId: string;
  ownerId: string;
  /** The demo's image title (its display name when the image is gone), as people read it elsewhere. */
  title: string;
  hours: number;
}

export interface SuspendedUsage {
  byUser: Map<string, SuspendedFigures>;
  total: SuspendedFigures;
  /** Most hours first. */
  kept: KeptRunning[];
  keptHours: number;
}

const ZERO: SuspendedFigures = { hours: 0, storageCost: 0, runningCost: 0, saved: 0, costKnown: true };

export async function suspendedUsage(db: Db, period: { start: Date; end: Date }, now: Date, userId?: string): Promise<SuspendedUsage> {
  const until = sql<Date>`least(${period.end}::timestamptz, ${now}::timestamptz)`;
  const hoursOf = (startCol: string, endCol: string) =>
    sql<number>`greatest(extract(epoch FROM least(coalesce(${sql.ref(endCol)}, ${until}), ${until}) - greatest(${sql.ref(startCol)}, ${period.start}::timestamptz)), 0) / 3600`;
  const overlaps = (startCol: string, endCol: string) =>
    sql`${sql.ref(startCol)} < ${until} AND (${sql.ref(endCol)} IS NULL OR ${sql.ref(endCol)} > ${period.start}::timestamptz)`;
  const whose = (col: string) => (userId === undefined ? sql`` : sql`AND ${sql.ref(col)} = ${userId}`);
  const region = regionOfZoneSql('s.zone');
  const rates = suspendedRatesSql(region);
  const [suspended, kept] = await Promise.all([
    sql<{ gu: number; user_id: string | null; hours: number; storage: number | null; running: number | null; unknown: string }>`
      SELECT GROUPING(user_id) AS gu, user_id,
             coalesce(sum(h), 0)::float8 AS hours,
             coalesce(sum(h * (disk_gb * disk_rate + mem_gb * mem_rate) / ${HOURS_PER_MONTH}), 0)::float8 AS storage,
             coalesce(sum(h * price), 0)::float8 AS running,
             count(*) FILTER (WHERE h > 0 AND (price IS NULL OR disk_rate IS NULL OR mem_rate IS NULL)) AS unknown
        FROM (
          SELECT s.user_id, ${hoursOf('s.started_at', 's.ended_at')}::float8 AS h,
                 s.disk_gb, s.memory_mb / 1024.0 AS mem_gb,
                 ${runningHourlySql(sql`s.machine_type`, region)} AS price,
                 ${rates.disk} AS disk_rate,
                 ${rates.memory} AS mem_rate
            FROM suspended_intervals s
           WHERE ${overlaps('s.started_at', 's.ended_at')} ${whose('s.user_id')}
        ) per_interval
       GROUP BY GROUPING SETS ((user_id), ())`.execute(db),
    sql<{ user_id: string; owner_id: string; title: string; hours: number }>`
      SELECT k.user_id, k.owner_id, coalesce(i.title, d.display_name) AS title, sum(${hoursOf('k.pressed_at', 'k.ended_at')})::float8 AS hours
        FROM idle_keeps k
        JOIN demos d ON d.id = k.demo_id
        LEFT JOIN images i ON i.id = d.image_id
       WHERE ${overlaps('k.pressed_at', 'k.ended_at')} ${whose('k.owner_id')}
       GROUP BY 1, 2, 3
      HAVING sum(${hoursOf('k.pressed_at', 'k.ended_at')}) > 0
       ORDER BY hours DESC, k.user_id, title`.execute(db),
  ]);
  const out: SuspendedUsage = { byUser: new Map(), total: { ...ZERO }, kept: [], keptHours: 0 };
  for (const r of suspended.rows) {
    const storageCost = Number(r.storage);
    const runningCost = Number(r.running);
    const figures = { hours: Number(r.hours), storageCost, runningCost, saved: runningCost - storageCost, costKnown: Number(r.unknown) === 0 };
    if (Number(r.gu) === 0) {
      if (figures.hours > 0) out.byUser.set(r.user_id!, figures);
    } else out.total = figures;
  }
  out.kept = kept.rows.map((r) => ({ userId: r.user_id, ownerId: r.owner_id, title: r.title, hours: Number(r.hours) }));
  out.keptHours = out.kept.reduce((sum, k) => sum + k.hours, 0);
  return out;
}
