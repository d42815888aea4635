import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from './db-schema.ts';

export type Db = Kysely<Database>;

/** The database and what else shares its connection (pg-boss needs the PGlite handle itself). */
export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Set in PGlite mode: pg-boss runs on the same single session. */
  pglite?: PGlite;
  /** Set in PostgreSQL mode: pg-boss opens its own pool on the same URL. */
  url?: string;
  close(): Promise<void>;
}

// int8 and numeric stay strings, as node-postgres returns them, so both backends agree.
const TEXT_PARSERS = { 20: (v: string) => v, 1700: (v: string) => v };

export function openPostgres(url: string, opts: { max?: number; statementTimeoutMs?: number } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    // A query that hangs must not hold a Slack request or a job forever.
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    application_name: 'demo-vm',
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener it crashes the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', url, close: () => db.destroy() };
}

export async function openPglite(dataDir: string | null): Promise<DbHandle> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    // Loaded only in PGlite mode: a PostgreSQL deployment never needs the embedded database.
    const [{ PGlite }, { btree_gist }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/btree_gist')]);
    const pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      extensions: { btree_gist },
      parsers: TEXT_PARSERS,
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    return {
      db,
      kind: 'pglite',
      pglite,
      close: async () => {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * PGlite is one process's database: two processes on one directory corrupt it. Take a lock file
 * holding our pid; a stale one (its process gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'demo-vm.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by another demo-vm process (pid ${holder}). ` +
            'Stop it first, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server.',
        );
      }
      unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

/** Whether a process with this pid exists (EPERM: it does, but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
