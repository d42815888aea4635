/**
 * `npm run migrate`: bring the database to the latest schema, then stop. The app migrates at start
 * too; running this first (the Kubernetes Job) lets a failing migration stop a deploy before any new
 * pod starts. Safe to run concurrently with itself or with running replicas (Kysely's migration lock,
 * pg-boss's own advisory lock). Exit codes: 0 done, 1 migration failed, 78 bad configuration.
 */
import { sql } from 'kysely';
import { loadConfig, ConfigError, redactUrl, type Config } from './config.ts';
import { openPglite, openPostgres, type DbHandle } from './platform/db.ts';
import { JobQueue } from './platform/jobs.ts';
import { createLogger } from './platform/log.ts';
import { LATEST_MIGRATION, migrateToLatest } from './platform/migrations.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string) => process.stderr.write(`${line}\n`);

async function open(config: Config): Promise<DbHandle> {
  return config.database.kind === 'pglite' ? openPglite(config.database.dataDir) : openPostgres(config.database.url);
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fail(`${err.message}\n\nSee README.md, "Configuration", for every variable.`);
    return 78; // EX_CONFIG
  }
  const where = config.database.kind === 'postgres' ? redactUrl(config.database.url) : `embedded PGlite in ${config.database.dataDir}`;
  say(`Migrating ${where}`);

  let handle: DbHandle;
  try {
    handle = await open(config);
  } catch (err) {
    fail(`Could not open the database (${where}): ${(err as Error).message}`);
    return 1;
  }
  try {
    await sql`select 1`.execute(handle.db);
  } catch (err) {
    fail(`Could not reach the database (${where}): ${(err as Error).message}. Check DATABASE_URL and that the server accepts connections.`);
    await handle.close().catch(() => {});
    return 1;
  }
  try {
    const applied = await migrateToLatest(handle.db);
    say(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Nothing to apply.');
    say(`Schema is at ${LATEST_MIGRATION}.`);
    // The job queue's own tables, so that replicas starting together do not race to create them.
    const jobs = new JobQueue(handle, createLogger({ level: 'warn' }));
    await jobs.start();
    await jobs.stop(5_000);
    say('Job queue schema (pg-boss) is ready.');
    return 0;
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    fail(`Migration failed: ${(err as Error).message}${cause && !(err as Error).message.includes(cause.message) ? ` (${cause.message})` : ''}`);
    fail('Nothing after the failed migration was applied; fix the cause and run `npm run migrate` again.');
    return 1;
  } finally {
    await handle.close().catch(() => {});
  }
}

// Exit explicitly: nothing else is left to do, and a lingering handle must not keep a Job pod alive.
process.exit(await main());
