import { performance } from 'node:perf_hooks';
import type { CustomRoute } from '@slack/bolt';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from './clock.ts';
import type { Db } from './db.ts';
import { putSetting } from './settings.ts';
import type { JobQueue } from './jobs.ts';
import type { Logger } from './log.ts';
import { oncePerPeriod, type PeriodClaimer, type PeriodicTask } from './scheduler.ts';

/**
 * Prometheus metrics for /metrics, in base units (seconds, bytes; counters end in _total). Two
 * registries: this process's own counters and histograms (module-level, so any capability can
 * `import { metrics }` and count), and per running app the metrics read from the shared database at
 * scrape time (job queues, the usage totals refreshed every minute). Those are the same on every
 * replica: aggregate them with max(), the per-process ones with sum().
 */

export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

// Slack retries a request it has no ack for after 3 s: the buckets are dense below that.
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const WORK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
  new Counter({ name, help, labelNames, registers: [processRegistry] });
const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
  new Histogram({ name, help, labelNames, buckets, registers: [processRegistry] });

export const metrics = {
  slackRequestSeconds: histogram(
    'demo_vm_slack_request_duration_seconds',
    'Time to handle a Slack request, listeners included, by kind and outcome (ok or error).',
    ['kind', 'outcome'],
    WORK_BUCKETS,
  ),
  slackAckSeconds: histogram(
    'demo_vm_slack_ack_duration_seconds',
    'Time from a Slack request reaching the server to its HTTP response (the ack), by status; Slack gives up after 3 s.',
    ['status'],
    ACK_BUCKETS,
  ),
  launches: counter('demo_vm_launches_total', 'Demo launches that finished, by outcome (ready or failed) and failure reason.', ['outcome', 'reason']),
  saves: counter('demo_vm_saves_total', 'Saves of a demo as a machine image that finished, by outcome and failure reason.', ['outcome', 'reason']),
  exports: counter('demo_vm_exports_total', 'Image exports to Cloud Storage that finished, by outcome and failure reason.', ['outcome', 'reason']),
  gceErrors: counter(
    'demo_vm_gce_errors_total',
    'Failed GCE calls and operations that ended in error, by port method and kind (quota, stockout, unavailable, ...).',
    ['operation', 'kind'],
  ),
  slackErrors: counter(
    'demo_vm_slack_errors_total',
    "Failed Slack Web API calls by method and kind (Slack's error code, request, http_<status>, rate_limited).",
    ['method', 'kind'],
  ),
  jobSeconds: histogram(
    'demo_vm_job_duration_seconds',
    'Duration of one attempt of a durable job, by queue and outcome (ok or error).',
    ['queue', 'outcome'],
    WORK_BUCKETS,
  ),
};

export const secondsSince = (startedMs: number) => (performance.now() - startedMs) / 1000;

export interface AppMetricsSources {
  db: Db;
  jobs: JobQueue;
  clock: Clock;
  log: Logger;
}

interface QueueSnapshot {
  name: string;
  ready: number;
  deferred: number;
  active: number;
  failed: number;
  oldestWaitingSeconds: number;
}

/** Metrics read at scrape time from pg-boss and the cached usage totals (one small query set per scrape). */
export function appMetricsRegistry(src: AppMetricsSources): Registry {
  const registry = new Registry();
  const snapshot = memoize(1_000, () => queueSnapshot(src.jobs));
  const warn = (err: unknown, what: string) => src.log.warn({ err }, `metrics: could not read ${what}`);

  new Gauge({
    name: 'demo_vm_job_queue_depth',
    help: 'Jobs per queue and state (ready, deferred, active, failed) as pg-boss last counted them; shared by all replicas (use max).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const queues = await snapshot().catch((err) => (warn(err, 'job queues'), null));
      if (!queues) return;
      this.reset();
      for (const q of queues) {
        for (const state of ['ready', 'deferred', 'active', 'failed'] as const) this.set({ queue: q.name, state }, q[state]);
      }
    },
  });
  new Gauge({
    name: 'demo_vm_job_oldest_waiting_seconds',
    help: 'Age of the oldest job that could run but has not started, per queue (0 when none); shared by all replicas (use max).',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const queues = await snapshot().catch(() => null);
      if (!queues) return;
      this.reset();
      for (const q of queues) this.set({ queue: q.name }, q.oldestWaitingSeconds);
    },
  });
  new Counter({
    name: 'demo_vm_usage_seconds_total',
    help: 'Demo VM running time in the usage ledger, in seconds, by machine type, as of the last refresh (every minute; open intervals counted up to it); shared by all replicas (use max).',
    labelNames: ['machine_type'] as const,
    registers: [registry],
    async collect() {
      const usage = await readUsageSeconds(src.db).catch((err) => (warn(err, 'usage seconds'), null));
      if (!usage) return;
      this.reset();
      for (const [machineType, seconds] of Object.entries(usage.seconds)) this.inc({ machine_type: machineType }, seconds);
    },
  });
  return registry;
}

async function queueSnapshot(jobs: JobQueue): Promise<QueueSnapshot[]> {
  // Real time, not the app's clock: pg-boss stamps jobs with the database's clock.
  const now = Date.now();
  const queues = await jobs.boss.getQueues();
  return Promise.all(
    queues.map(async (q) => {
      // Oldest first; a deferred job (retry backoff, startAfter) only counts once it may run.
      const waiting = await jobs.boss.findJobs(q.name, { queued: true, limit: 20 });
      const eligibleSince = waiting.map((j) => new Date(j.startAfter ?? j.createdOn).getTime()).filter((t) => t <= now);
      return {
        name: q.name,
        ready: q.readyCount,
        deferred: q.deferredCount,
        active: q.activeCount,
        failed: q.failedCount,
        oldestWaitingSeconds: eligibleSince.length ? (now - Math.min(...eligibleSince)) / 1000 : 0,
      };
    }),
  );
}

/**
 * demo_vm_usage_seconds_total is a cache, not a query per scrape. Summing the whole usage ledger
 * (every interval ever) on each scrape made the cost of /metrics grow with history and with the
 * number of pods and scrapers. Instead the scheduler refreshes the total once a minute, on one replica
 * (claimPeriod), into one row of the settings table; a scrape, on any pod and whichever role serves it,
 * reads that row by its key. The table stays the ledger (DESIGN: totals are computed from intervals,
 * never kept as the truth): this row is only a copy for Prometheus, rebuilt from the intervals each
 * time. A counter must not go down (Prometheus would read a reset), so a machine type's total never
 * falls below what was last published: a late correction (an interval closed at an earlier time than
 * the last refresh counted it to) is absorbed by later usage instead of showing as a reset.
 */
const USAGE_SECONDS_KEY = 'metrics.usage_seconds';
export const USAGE_SECONDS_TASK = 'metrics-usage-seconds';

export interface UsageSeconds {
  /** When the totals were computed (open intervals counted up to here). */
  asOf: string;
  /** Seconds of running VM per machine type. */
  seconds: Record<string, number>;
}

/** Recompute the usage totals from the ledger as of `now` and store them for the scrapes. */
export async function refreshUsageSeconds(db: Db, now: Date): Promise<UsageSeconds> {
  const rows = await db
    .selectFrom('usage_intervals')
    .select(['machine_type', sql<string>`sum(greatest(extract(epoch from (coalesce(ended_at, ${now}::timestamptz) - started_at)), 0))`.as('seconds')])
    .groupBy('machine_type')
    .execute();
  return db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('settings').select('value').where('key', '=', USAGE_SECONDS_KEY).forUpdate().executeTakeFirst();
    const seconds: Record<string, number> = { ...asUsageSeconds(previous?.value)?.seconds };
    for (const row of rows) seconds[row.machine_type] = Math.max(seconds[row.machine_type] ?? 0, Number(row.seconds));
    const usage: UsageSeconds = { asOf: now.toISOString(), seconds };
    await putSetting(trx, USAGE_SECONDS_KEY, usage, 'metrics', now);
    return usage;
  });
}

/** The last refreshed totals, or null before the first refresh. */
export async function readUsageSeconds(db: Db): Promise<UsageSeconds | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', USAGE_SECONDS_KEY).executeTakeFirst();
  return asUsageSeconds(row?.value);
}

function asUsageSeconds(value: unknown): UsageSeconds | null {
  const v = (typeof value === 'string' ? JSON.parse(value) : value) as Partial<UsageSeconds> | null | undefined;
  return v && typeof v.asOf === 'string' && v.seconds && typeof v.seconds === 'object' ? { asOf: v.asOf, seconds: v.seconds } : null;
}

/** The worker's every-minute refresh of the usage totals, once per minute across replicas. */
export function usageSecondsTask(claimer: PeriodClaimer): PeriodicTask {
  return oncePerPeriod(claimer, { name: USAGE_SECONDS_TASK, cron: '* * * * *', periodMinutes: 1 }, (now) => refreshUsageSeconds(claimer.db, now));
}

/** One promise shared by the collectors of a scrape, so the database is read once per scrape. */
function memoize<T>(ttlMs: number, fn: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!cached || performance.now() - cached.at > ttlMs) cached = { at: performance.now(), value: fn() };
    return cached.value;
  };
}

/** GET /metrics: this process's metrics and the app's database-backed gauges, in one exposition. */
export function metricsRoute(appRegistry: Registry): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req, res) => {
      // Route handlers return void: this answers on res itself, a failure as a 500.
      void (async () => {
        try {
          const merged = Registry.merge([processRegistry, appRegistry]);
          const body = await merged.metrics();
          res.writeHead(200, { 'content-type': merged.contentType, 'cache-control': 'no-store' });
          res.end(body);
        } catch (err) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics unavailable: ${(err as Error).message}\n`);
        }
      })();
    },
  };
}
