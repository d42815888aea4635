import { PgBoss, fromKysely, fromPglite, type Job } from 'pg-boss';
import type { Transaction } from 'kysely';
import type { DbHandle } from './db.ts';
import type { Database } from './db-schema.ts';
import { childLogger, type Logger } from './log.ts';
import { metrics } from './metrics.ts';

/**
 * Durable jobs on pg-boss, in the same PostgreSQL (or PGlite) as everything else. A job is sent in
 * the transaction that records why it exists (fromKysely), so a crash never leaves one without the other.
 * Handlers must be idempotent: pg-boss delivers at least once and retries after a crash.
 */

export interface JobTuning {
  /** Idle poll; LISTEN/NOTIFY wakes workers sooner where it is available. */
  pollingIntervalSeconds: number;
  /** A job whose worker stops sending heartbeats (killed process) is retried after this. */
  heartbeatSeconds: number;
  /** The poll while LISTEN/NOTIFY is up: how soon a retried job (after a crash) is picked up. */
  notifyPollingIntervalSeconds: number;
  /** How often pg-boss looks for jobs whose heartbeat stopped. */
  superviseIntervalSeconds: number;
  /** false: poll only, no LISTEN/NOTIFY (see the constructor). */
  listenNotify?: boolean;
}

export const DEFAULT_JOB_TUNING: JobTuning = { pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 5, heartbeatSeconds: 30, superviseIntervalSeconds: 15 };

export interface QueueSpec {
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Upper bound for one run of a handler; a job stuck longer is retried. */
  expireInSeconds?: number;
  /**
   * Jobs of this queue a process works on at once (default 4). Queues whose jobs mostly wait (on GCE
   * for minutes, on Cloud Build for hours) set more, or a fifth user's launch queues behind them.
   */
  concurrency?: number;
  /**
   * pg-boss's queue policy. `short`: at most one job per singletonKey waits to run (a second send
   * while one waits is dropped), which batches what happens within a job's startAfter.
   */
  policy?: 'standard' | 'short';
}

/**
 * `final` is true on the last attempt pg-boss will make: the handler's chance to fail cleanly. `log`
 * carries the queue and job id. `signal` aborts when this process shuts down (after the grace
 * period) or loses the job's claim: the job was handed back for another worker, so the handler
 * stops at its next safe point (every step is resumable).
 */
export type JobHandler<T> = (data: T, job: { id: string; retryCount: number; final: boolean; log: Logger; signal: AbortSignal }) => Promise<void>;

export class JobQueue {
  readonly #boss: PgBoss;
  readonly #log: Logger;
  readonly #tuning: JobTuning;
  readonly #specs = new Map<string, QueueSpec>();
  /** Job steps this process is running now (job id → what it is), to say what a shutdown waits for. */
  readonly #running = new Map<string, string>();
  #started = false;

  /**
   * `works`: this process works queues (the worker role), so it looks after them (retries of stalled
   * jobs, maintenance) and listens for new jobs; a web process only sends.
   */
  constructor(handle: DbHandle, log: Logger, tuning: JobTuning = DEFAULT_JOB_TUNING, opts: { works?: boolean } = {}) {
    this.#log = log;
    this.#tuning = tuning;
    const common = {
      supervise: opts.works ?? true,
      superviseIntervalSeconds: tuning.superviseIntervalSeconds,
      monitorIntervalSeconds: Math.max(tuning.superviseIntervalSeconds, 1),
      // Scheduling is ours (node-cron calling tick(now)); pg-boss's cron would be a second clock.
      schedule: false,
      // pg-boss 12.38's LISTEN client removes its error listener before ending a dropped connection, so
      // a late socket error on it is unhandled and ends the process: only processes that work queues
      // listen (a restarted worker resumes its jobs), and tuning may turn it off.
      useListenNotify: (opts.works ?? true) && tuning.listenNotify !== false,
    };
    this.#boss =
      handle.kind === 'pglite'
        ? new PgBoss({ db: fromPglite(handle.pglite!), backend: 'pglite', ...common })
        : new PgBoss({ connectionString: handle.url!, max: 5, application_name: 'demo-vm-jobs', ...common });
    this.#boss.on('error', (err) => this.#log.error({ err }, 'job queue error'));
  }

  get started(): boolean {
    return this.#started;
  }

  async start(): Promise<void> {
    await this.#boss.start();
    this.#started = true;
  }

  /**
   * Declare a queue (every role: pg-boss refuses a job for a queue that does not exist). Its spec is
   * kept for the worker that works it.
   */
  async declare(name: string, spec: QueueSpec): Promise<void> {
    const retryLimit = spec.retryLimit ?? 5;
    this.#specs.set(name, spec);
    await this.#boss.createQueue(name, {
      retryLimit,
      retryDelay: spec.retryDelaySeconds ?? 2,
      retryBackoff: true,
      retryDelayMax: 120,
      expireInSeconds: spec.expireInSeconds ?? 3600,
      heartbeatSeconds: this.#tuning.heartbeatSeconds,
      policy: spec.policy ?? 'standard',
      notify: true,
    } as Parameters<PgBoss['createQueue']>[1]);
  }

  /** Work a declared queue with this handler (worker role). */
  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    const spec = this.#specs.get(name);
    if (!spec) throw new Error(`job queue ${name} is not declared: list it in its capability's queues`);
    const retryLimit = spec.retryLimit ?? 5;
    await this.#boss.work<T>(
      name,
      {
        pollingIntervalSeconds: this.#tuning.pollingIntervalSeconds,
        // NOTIFY wakes workers for new jobs, but not for retries (a crashed worker's job, a retry
        // delay ending): without this they would wait for pg-boss's 30 s notify-mode poll.
        notifyPollingIntervalSeconds: this.#tuning.notifyPollingIntervalSeconds,
        batchSize: 1,
        localConcurrency: spec.concurrency ?? 4,
      },
      this.#fetchAgainAfter(name, async (jobs: Job<T>[]) => {
        for (const job of jobs) {
          const demoId = (job.data as { demoId?: unknown }).demoId;
          const log = childLogger(this.#log, { job: name, jobId: job.id, ...(typeof demoId === 'string' ? { demoId } : {}) });
          const timer = metrics.jobSeconds.startTimer({ queue: name });
          this.#running.set(job.id, describeJob(name, job.data));
          try {
            const retryCount = job.retryCount ?? 0;
            await handler(job.data, { id: job.id, retryCount, final: retryCount >= retryLimit, log, signal: job.signal });
            timer({ outcome: 'ok' });
          } catch (err) {
            timer({ outcome: 'error' });
            log.warn({ err }, 'job attempt failed; pg-boss will retry it if attempts remain');
            throw err;
          } finally {
            this.#running.delete(job.id);
          }
        }
      }),
    );
  }

  /**
   * With LISTEN/NOTIFY on, pg-boss polls a queue only every notifyPollingIntervalSeconds and, at
   * batchSize 1, never fetches again at once after a job: a backlog (20 launches submitted together)
   * waited a poll (then 30 s) per round of workers. Whoever just finished a job asks for the next one
   * immediately; an empty queue costs one fetch.
   */
  #fetchAgainAfter<J>(name: string, work: (jobs: J[]) => Promise<void>): (jobs: J[]) => Promise<void> {
    return async (jobs) => {
      try {
        await work(jobs);
      } finally {
        for (const w of this.#boss.getWipData()) if (w.name === name && w.count > 0) this.#boss.notifyWorker(w.id);
      }
    };
  }

  /** Send a job, inside the caller's transaction when one is given. Returns null when deduplicated. */
  async send<T extends object>(
    name: string,
    data: T,
    /** startAfter: a Date, or seconds from now by the database's clock. */
    opts: { trx?: Transaction<Database>; singletonKey?: string; startAfter?: Date | number; id?: string } = {},
  ): Promise<string | null> {
    const { trx, ...rest } = opts;
    return this.#boss.send(name, data, { ...rest, ...(trx ? { db: fromKysely(trx) } : {}) });
  }

  /** What this process's running job steps are, e.g. `demo-launch 3f1c2d4e` (for a person stopping it). */
  runningSteps(): string[] {
    return [...this.#running.values()];
  }

  /** Stop taking work; let running handlers finish (up to timeoutMs) so they stop at a safe point. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }

  get boss(): PgBoss {
    return this.#boss;
  }
}

/** A job step in a few words: its queue, an action if it has one, and the start of the id it works on. */
function describeJob(queue: string, data: object): string {
  const fields = data as Record<string, unknown>;
  const action = typeof fields.action === 'string' ? fields.action : undefined;
  const id = Object.entries(fields).find(([k, v]) => k !== 'requestId' && k.endsWith('Id') && typeof v === 'string')?.[1] as string | undefined;
  return [queue, action, id?.slice(0, 8)].filter(Boolean).join(' ');
}
