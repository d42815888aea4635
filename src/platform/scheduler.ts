import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from './clock.ts';
import type { Db } from './db.ts';
import type { Logger } from './log.ts';

/**
 * node-cron only calls tick(now); tests call tick directly with their own clock. A task that must run
 * once per period across replicas claims the period with claimPeriod() first.
 */
export interface PeriodicTask {
  name: string;
  cron: string;
  timezone?: string;
  tick(now: Date): Promise<void>;
}

export class Scheduler {
  readonly #tasks: PeriodicTask[] = [];
  readonly #running: ScheduledTask[] = [];
  readonly #clock: Clock;
  readonly #log: Logger;
  #started = false;

  constructor(clock: Clock, log: Logger) {
    this.#clock = clock;
    this.#log = log;
  }

  add(task: PeriodicTask): void {
    if (!cron.validate(task.cron)) throw new Error(`invalid cron expression for ${task.name}: ${task.cron}`);
    this.#tasks.push(task);
    // Schedules that change at runtime (digest subscriptions) are added after start.
    if (this.#started) this.#schedule(task);
  }

  /** Forget a task and stop its cron schedule (for schedules that change at runtime). */
  async remove(name: string): Promise<void> {
    const i = this.#tasks.findIndex((t) => t.name === name);
    if (i >= 0) this.#tasks.splice(i, 1);
    const j = this.#running.findIndex((t) => t.name === name);
    if (j >= 0) await this.#running.splice(j, 1)[0]!.destroy();
  }

  get tasks(): readonly PeriodicTask[] {
    return this.#tasks;
  }

  start(): void {
    this.#started = true;
    for (const task of this.#tasks) this.#schedule(task);
  }

  #schedule(task: PeriodicTask): void {
    const scheduled = cron.schedule(
      task.cron,
      async () => {
        try {
          await task.tick(this.#clock.now());
        } catch (err) {
          this.#log.error({ err, task: task.name }, 'scheduled task failed');
        }
      },
      { name: task.name, timezone: task.timezone, noOverlap: true },
    );
    this.#running.push(scheduled);
  }

  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all(this.#running.splice(0).map((t) => t.destroy()));
  }
}

/** True for exactly one caller per (task, period) across every replica sharing the database. */
export async function claimPeriod(db: Db, task: string, periodKey: string, claimedBy: string, now: Date): Promise<boolean> {
  const res = await db
    .insertInto('scheduled_runs')
    .values({ task, period_key: periodKey, claimed_by: claimedBy, claimed_at: now })
    .onConflict((oc) => oc.columns(['task', 'period_key']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Period key for a task that runs every `minutes`: the start of the slot `now` falls in. */
export function slotKey(now: Date, minutes: number): string {
  const ms = minutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms).toISOString();
}

/** Who claims periods: the database the replicas share, and this process's claim id. */
export interface PeriodClaimer {
  db: Db;
  instanceId: string;
}

/**
 * A task that runs once per period across every replica: each replica's cron fires, the first to
 * claim the period (claimPeriod) runs `run`, the others skip it.
 */
export function oncePerPeriod(
  claimer: PeriodClaimer,
  spec: { name: string; cron: string; periodMinutes: number },
  run: (now: Date) => Promise<unknown>,
): PeriodicTask {
  return {
    name: spec.name,
    cron: spec.cron,
    tick: async (now) => {
      if (await claimPeriod(claimer.db, spec.name, slotKey(now, spec.periodMinutes), claimer.instanceId, now)) await run(now);
    },
  };
}

export const PRUNE_RUNS_TASK = 'scheduled-runs-prune';
/** Far longer than any task's period, so a period still current is never claimed twice. */
const KEEP_RUNS_MS = 7 * 24 * 3600_000;

/** Every claim is a row (1,440+ a day from the minute tasks): a daily prune keeps a week of them. */
export function pruneRunsTask(claimer: PeriodClaimer): PeriodicTask {
  return oncePerPeriod(claimer, { name: PRUNE_RUNS_TASK, cron: '41 3 * * *', periodMinutes: 24 * 60 }, async (now) => {
    await claimer.db
      .deleteFrom('scheduled_runs')
      .where('claimed_at', '<', new Date(now.getTime() - KEEP_RUNS_MS))
      .execute();
  });
}
