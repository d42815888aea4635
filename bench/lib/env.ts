/**
 * One benchmark's world: the fake Slack (no rate limits) and the GCE simulator (zero delay) in this
 * process, a fresh PostgreSQL database, and the real app in child processes pointed at all three:
 * one web and one worker process (startRoles), or one process running both (startChildApp).
 *
 * BENCH_QUICK=1 shortens every load to a few seconds, to check that a benchmark works; its figures
 * are not the real ones (bench/run.ts says so at the top of RESULTS.md).
 */
import { randomBytes } from 'node:crypto';
import { migrateToLatest } from '../../src/platform/migrations.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';
import { DEFAULT_USERS, FakeSlack, type FakeUser, type StoredView } from './fakes.ts';
import { GceSimulator, type GceSimulatorOptions } from './fakes.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/postgres.ts';
import { InboundSlack } from '../../test/harness/slack-requests.ts';
import { spawnApp, spawnRole, type AppEnv, type ChildApp } from '../app-process.ts';

export const BENCH_PROJECT = 'demo-bench-project';

/** BENCH_QUICK=1: a few seconds of load instead of the real durations. */
export const QUICK = ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');

/** `full` normally, `quick` under BENCH_QUICK=1. */
export function quick<T>(full: T, quickValue: T): T {
  return QUICK ? quickValue : full;
}

/** `count` extra people (U_B0000…), so concurrent flows never share a user's modal stack. */
export function benchUsers(count: number): FakeUser[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(4, '0');
    return { id: `U_B${n}`, name: `bench${n}`, real_name: `Bench User ${n}`, tz: 'Europe/Paris', title: 'Sales Engineer' };
  });
}

export interface Fakes {
  fake: FakeSlack;
  sim: GceSimulator;
  signingSecret: string;
  close(): Promise<void>;
}

export async function startFakes(opts: { users?: number; sim?: GceSimulatorOptions } = {}): Promise<Fakes> {
  const fake = new FakeSlack({ users: [...DEFAULT_USERS, ...benchUsers(opts.users ?? 100)] });
  fake.rateLimit(null);
  await fake.listen(0, '127.0.0.1');
  const sim = new GceSimulator({ project: BENCH_PROJECT, operationMs: 0, bootMs: 0, ...opts.sim });
  sim.seedSampleImages();
  await sim.listen(0, '127.0.0.1');
  return {
    fake,
    sim,
    signingSecret: randomBytes(24).toString('hex'),
    close: async () => {
      await sim.close();
      await fake.close();
    },
  };
}

/** A fresh, migrated database (the app would migrate it too; query benches load data first). */
export async function freshDatabase(): Promise<TestDatabase & { handle: DbHandle }> {
  const database = await createTestDatabase({ empty: true });
  // Bulk loads run for minutes on a busy machine: no 30 s statement timeout here.
  const handle = openPostgres(database.url, { statementTimeoutMs: 0 });
  await migrateToLatest(handle.db);
  return {
    ...database,
    handle,
    drop: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

export interface BenchApp {
  app: ChildApp;
  slack: InboundSlack;
}

/** The app's environment against this world's fakes (the worker reaches the simulator over HTTP). */
export function appEnv(f: Fakes, databaseUrl: string, extra?: Record<string, string>): AppEnv {
  return {
    signingSecret: f.signingSecret,
    botToken: f.fake.identity.token,
    slackApiUrl: f.fake.apiUrl,
    databaseUrl,
    gcpProject: BENCH_PROJECT,
    gceApiEndpoint: f.sim.url,
    extra,
  };
}

/** The whole app in one process (ROLE=all): the query benchmarks. */
export async function startChildApp(f: Fakes, databaseUrl: string, extra?: Record<string, string>): Promise<BenchApp> {
  const app = await spawnApp(appEnv(f, databaseUrl, extra));
  return { app, slack: new InboundSlack(f.fake, app.receiverUrl, f.signingSecret) };
}

export interface BenchRoles {
  web: ChildApp;
  worker: ChildApp;
  /** Signed requests into the web process's receiver. */
  slack: InboundSlack;
  stop(): Promise<void>;
}

/**
 * The two roles as production runs them: a web process (Slack) and a worker process (jobs, GCE),
 * sharing only the database. Started one after the other, so each start-up time is its own.
 */
export async function startRoles(f: Fakes, databaseUrl: string, extra?: Record<string, string>): Promise<BenchRoles> {
  const env = appEnv(f, databaseUrl, extra);
  const worker = await spawnRole('worker', env);
  let web: ChildApp;
  try {
    web = await spawnRole('web', env);
  } catch (err) {
    await worker.stop();
    throw err;
  }
  return {
    web,
    worker,
    slack: new InboundSlack(f.fake, web.receiverUrl, f.signingSecret),
    stop: async () => {
      await Promise.all([web.stop(), worker.stop()]);
    },
  };
}

/** The error-level log lines of the app's processes, for the notes. */
export function errorNote(apps: ChildApp[]): string {
  return apps.map((a) => `${a.role}: ${a.errorLines.length}${a.errorLines.length ? ` (first: ${a.errorLines[0]!.slice(0, 300)})` : ''}`).join('; ');
}

/** Poll until fn returns a truthy value (bench setup only; measurements use events). */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The user's top modal once it has this callback_id (filled in after the ack). */
export function topViewWith(f: Fakes, user: string, callbackId: string, timeoutMs = 15_000): Promise<StoredView> {
  return until(
    `${user}'s ${callbackId} modal`,
    () => {
      const top = f.fake.views(user).at(-1);
      return top?.callback_id === callbackId ? top : undefined;
    },
    timeoutMs,
  );
}

/** The app syncs the catalog in the background at start; wait until the labelled images are in. */
export async function catalogSynced(handle: DbHandle, atLeast = 4): Promise<void> {
  await until('the catalog sync', async () => {
    const row = await handle.db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('origin', '=', 'catalog_label')
      .executeTakeFirstOrThrow();
    return Number(row.n) >= atLeast;
  });
}
