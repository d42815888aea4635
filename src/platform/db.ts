import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Extensions, PGlite } from '@electric-sql/pglite';
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
  // A client losing its connection emits 'error': on the pool while idle, on the client itself while checked
  // out (pg-pool takes its idle listener off, and Kysely adds none). Unheard, either ends the process; the
  // query in flight rejects with the same error, so the listeners have nothing else to do.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', url, close: () => db.destroy() };
}

export async function openPglite(dataDir: string | null): Promise<DbHandle> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    // Loaded only in PGlite mode: a PostgreSQL deployment never needs the embedded database.
    const [{ PGlite }, { btree_gist }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/btree_gist')]);
    const extensions = { btree_gist };
    if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await seedFromTemplate(dataDir, PGlite, extensions);
    const pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      extensions,
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

type PGliteClass = typeof PGlite;

/**
 * A new data directory starts as a copy of a template cluster kept in the user's cache: what
 * PGlite's initdb makes, with the extensions we open PGlite with already created (migration 0001's
 * `CREATE EXTENSION IF NOT EXISTS` then finds them), closed cleanly. Only the first start on a
 * machine pays for initdb (seconds of WebAssembly); every later fresh DATA_DIR is a file copy. The
 * cache is keyed by PGlite's WebAssembly and data files and the extension names, so an upgrade
 * builds a new one. Best effort: when the cache cannot be used, PGlite runs initdb in the data
 * directory itself, as before.
 */
async function seedFromTemplate(dataDir: string, PGlite: PGliteClass, extensions: Extensions): Promise<void> {
  let template: string;
  try {
    template = await templateCluster(PGlite, extensions);
  } catch {
    return;
  }
  // PG_VERSION last: PGlite takes a directory holding it for a complete cluster.
  const entries = readdirSync(template).filter((name) => name !== 'PG_VERSION');
  for (const name of entries) cpSync(join(template, name), join(dataDir, name), { recursive: true, force: true });
  cpSync(join(template, 'PG_VERSION'), join(dataDir, 'PG_VERSION'));
}

/** The cached template cluster for this PGlite build, made now if missing (a fresh PGlite, closed). */
async function templateCluster(PGlite: PGliteClass, extensions: Extensions): Promise<string> {
  const names = Object.keys(extensions).sort();
  const root = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'demo-vm');
  const dir = join(root, `pglite-cluster-${await pgliteBuildId(names)}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  mkdirSync(root, { recursive: true });
  // Built aside and renamed into place, so a concurrent start never copies a half-made cluster.
  const work = mkdtempSync(join(root, '.building-'));
  try {
    const building = join(work, 'data');
    const pglite = await PGlite.create({ dataDir: building, extensions });
    try {
      for (const name of names) await pglite.exec(`CREATE EXTENSION IF NOT EXISTS ${name}`);
    } finally {
      await pglite.close();
    }
    if (!existsSync(join(building, 'PG_VERSION'))) throw new Error('PGlite made no cluster');
    try {
      renameSync(building, dir);
    } catch (err) {
      if (!existsSync(join(dir, 'PG_VERSION'))) throw err; // else another process was first
    }
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What the template depends on: PGlite's WebAssembly (initdb, postgres), its file bundle, the extensions. */
async function pgliteBuildId(extensionNames: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['initdb.wasm', 'pglite.wasm', 'pglite.data'])
    hash.update(await readFile(fileURLToPath(import.meta.resolve(`@electric-sql/pglite/${file}`))));
  hash.update(extensionNames.join(','));
  return hash.digest('hex').slice(0, 16);
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
