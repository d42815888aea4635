import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';
import { regionOfZoneSql } from '../platform/compute/port.ts';
import { HOURS_PER_MONTH, runningHourlySql, suspendedRatesSql } from './vm-rates.ts';

/**
 * The warm pool's own line: its VMs' running hours while warming (created → suspended), their
 * suspended GB-days (disk and memory, created → handed out or deleted), and what both cost. Never
 * anyone's: from hand-out on a VM is its demo's, in usage_intervals. `costKnown` is false when a
 * price was missing (the line then says so rather than guess).
 */
export interface PoolUsage {
  vms: number;
  runningHours: number;
  suspendedGbDays: number;
  cost: number;
  costKnown: boolean;
}

export async function poolUsage(db: Db, period: { start: Date; end: Date }, now: Date): Promise<PoolUsage> {
  const until = sql<Date>`least(${period.end}::timestamptz, ${now}::timestamptz)`;
  const runEnd = sql<Date>`least(coalesce(v.suspended_at, v.ended_at, ${until}), ${until})`;
  const sleepEnd = sql<Date>`least(coalesce(v.ended_at, ${until}), ${until})`;
  const from = (at: ReturnType<typeof sql>) => sql`greatest(${at}, ${period.start}::timestamptz)`;
  const runningHours = sql<number>`greatest(extract(epoch FROM ${runEnd} - ${from(sql`v.created_at`)}), 0) / 3600`;
  const suspendedHours = sql<number>`CASE WHEN v.suspended_at IS NULL THEN 0 ELSE greatest(extract(epoch FROM ${sleepEnd} - ${from(sql`v.suspended_at`)}), 0) / 3600 END`;
  const region = regionOfZoneSql('v.zone');
  const rates = suspendedRatesSql(region);
  const { rows } = await sql<{ vms: string; running_hours: number; gb_hours: number; cost: number | null; unknown: string }>`
    SELECT count(*) AS vms,
           coalesce(sum(run_h), 0)::float8 AS running_hours,
           coalesce(sum(sleep_h * gb), 0)::float8 AS gb_hours,
           sum(run_h * price + sleep_h * (disk_gb * disk_rate + mem_gb * mem_rate) / ${HOURS_PER_MONTH})::float8 AS cost,
           count(*) FILTER (WHERE (run_h > 0 AND price IS NULL) OR (sleep_h > 0 AND (disk_rate IS NULL OR mem_rate IS NULL))) AS unknown
      FROM (
        SELECT ${runningHours} AS run_h,
               ${suspendedHours} AS sleep_h,
               coalesce(v.disk_gb, 0) + coalesce(v.memory_mb, 0) / 1024.0 AS gb,
               coalesce(v.disk_gb, 0) AS disk_gb,
               coalesce(v.memory_mb, 0) / 1024.0 AS mem_gb,
               ${runningHourlySql(sql`v.machine_type`, region)} AS price,
               ${rates.disk} AS disk_rate,
               ${rates.memory} AS mem_rate
          FROM pool_vms v
         WHERE v.created_at < ${period.end} AND (v.ended_at IS NULL OR v.ended_at > ${period.start})
      ) per_vm`.execute(db);
  const r = rows[0]!;
  return {
    vms: Number(r.vms),
    runningHours: Number(r.running_hours),
    suspendedGbDays: Number(r.gb_hours) / 24,
    cost: Number(r.cost ?? 0),
    costKnown: Number(r.unknown) === 0,
  };
}
