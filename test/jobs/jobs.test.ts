import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { openPglite, openPostgres, type DbHandle } from '../../src/platform/db.ts';
import { JobQueue } from '../../src/platform/jobs.ts';
import { createLogger } from '../../src/platform/log.ts';
import { eventually } from '../harness/eventually.ts';
import { createTestDatabase } from '../harness/postgres.ts';

const FAST = { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, heartbeatSeconds: 10, superviseIntervalSeconds: 1 };
const silent = createLogger({ level: 'silent' });

async function createLog(h: DbHandle): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS job_log (id serial PRIMARY KEY, key text NOT NULL, phase text NOT NULL)`.execute(h.db);
}

async function phases(h: DbHandle, key: string): Promise<string[]> {
  const res = await sql<{ phase: string }>`SELECT phase FROM job_log WHERE key = ${key} ORDER BY id`.execute(h.db);
  return res.rows.map((r) => r.phase);
}

/** Runs the child worker until it prints `until`, then SIGKILLs it. */
async function runChildUntil(target: string, args: string[], until: string): Promise<void> {
  const child = spawn(process.execPath, ['test/harness/job-worker-child.ts', target, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(until)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}) before ${until}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

async function jobState(jobs: JobQueue, queue: string, id?: string): Promise<string | undefined> {
  return (await jobs.boss.findJobs(queue, id ? { id } : {}))[0]?.state;
}

interface Backend {
  name: string;
  /** What the child process opens; null when the backend cannot be shared across processes. */
  target: string;
  open(): Promise<DbHandle>;
  cleanup(): Promise<void>;
}

async function postgresBackend(): Promise<Backend> {
  const tdb = await createTestDatabase();
  return { name: 'PostgreSQL', target: tdb.url, open: async () => openPostgres(tdb.url), cleanup: () => tdb.drop() };
}

/**
 * A fresh PGlite directory. The jobs need only pg-boss's schema (made by start()) and job_log, not the
 * app's migrations: running those on PGlite took 5 s or more of each open under load.
 */
function pgliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'demo-vm-jobs-'));
  return {
    name: 'PGlite',
    target: `pglite:${dir}`,
    open: () => openPglite(dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe.each([
  ['PostgreSQL', postgresBackend],
  ['PGlite', async () => pgliteBackend()],
] as const)('durable jobs on %s', (_n, make) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  /**
   * The database, pg-boss and the queue are made in beforeAll (hook timeout), not in the test: on a
   * loaded machine opening PGlite, migrating and starting pg-boss took most of the 30 s test timeout.
   * Inside the transactions below only the trx handle is used: PGlite is one session, so a query
   * outside it (the handler's INSERT, pg-boss's polling) waits until the transaction ends.
   */
  describe('sent inside a transaction', () => {
    let h: DbHandle;
    let jobs: JobQueue;
    const handled: string[] = [];
    beforeAll(async () => {
      const backend = await make();
      cleanups.push(() => backend.cleanup());
      h = await backend.open();
      jobs = new JobQueue(h, silent, FAST);
      cleanups.push(async () => (await jobs.stop(), await h.close()));
      await jobs.start();
      await createLog(h);
      // Queues are declared at start, before anything is sent (app.ts does the same).
      await jobs.declare('echo', {});
      await jobs.work<{ key: string }>('echo', async (data) => {
        await sql`INSERT INTO job_log (key, phase) VALUES (${data.key}, 'done')`.execute(h.db);
        handled.push(data.key);
      });
    });

    test('a job is sent inside a transaction, worked and completed', async () => {
      // A rolled-back transaction takes its job with it.
      await expect(
        h.db.transaction().execute(async (trx) => {
          await jobs.send('echo', { key: 'rolled-back' }, { trx });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      const id = await h.db.transaction().execute((trx) => jobs.send('echo', { key: 'committed' }, { trx }));
      expect(id).toBeTruthy();
      // Positive signal that the worker is done: the committed job completed (its handler ran first).
      await eventually(
        () => jobState(jobs, 'echo', id!),
        (state) => state === 'completed',
        25_000,
      );
      expect(handled).toEqual(['committed']);
      expect(await phases(h, 'rolled-back')).toEqual([]);
      expect(await phases(h, 'committed')).toEqual(['done']);
      // The rolled-back job never existed: the queue holds only the committed one.
      expect((await jobs.boss.findJobs('echo')).map((j) => j.id)).toEqual([id]);
    });
  });

  test('a worker killed mid-job: the job is picked up after restart and completes once', async () => {
    const backend = await make();
    cleanups.push(() => backend.cleanup());
    // Prepare the schema (and, for PGlite, the data directory), then hand the database to the child.
    const pre = await backend.open();
    await createLog(pre);
    const pre2 = new JobQueue(pre, silent, FAST);
    await pre2.start();
    await pre2.stop();
    await pre.close();

    await runChildUntil(backend.target, ['send'], 'STARTED');

    const h = await backend.open();
    const jobs = new JobQueue(h, silent, FAST);
    cleanups.push(async () => (await jobs.stop(), await h.close()));
    await jobs.start();
    await jobs.declare('crash-test', { retryLimit: 3, retryDelaySeconds: 1 });
    await jobs.work<{ key: string }>('crash-test', async (data) => {
      await sql`INSERT INTO job_log (key, phase) VALUES (${data.key}, 'resumed')`.execute(h.db);
      await sql`INSERT INTO job_log (key, phase) VALUES (${data.key}, 'completed')`.execute(h.db);
    });
    await eventually(
      () => phases(h, 'k1'),
      (p) => p.includes('completed'),
      40_000,
    );
    const all = await jobs.boss.findJobs('crash-test');
    expect(all).toHaveLength(1);
    await eventually(
      () => jobState(jobs, 'crash-test'),
      (state) => state === 'completed',
      15_000,
    );
    expect(await phases(h, 'k1')).toEqual(['started', 'resumed', 'completed']);
  }, 60_000);
});
