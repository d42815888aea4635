import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { LATEST_MIGRATION } from '../../src/platform/migrations.ts';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.ts';

/** `npm run migrate` (node src/migrate.ts) as the migration Job runs it: output and exit codes. */
function migrate(env: Record<string, string>) {
  const res = spawnSync(process.execPath, ['src/migrate.ts'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

describe('npm run migrate', () => {
  const databases: TestDatabase[] = [];
  const emptyDatabase = async () => {
    const db = await createTestDatabase({ empty: true });
    databases.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  test('applies every migration to an empty database, then has nothing to do', async () => {
    const db = await emptyDatabase();
    const first = migrate({ DATABASE_URL: db.url });
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^Migrating postgres:\/\/postgres@127\.0\.0\.1:5432\//m);
    expect(first.out).toContain(`Applied `);
    expect(first.out).toContain(`Schema is at ${LATEST_MIGRATION}.`);
    expect(first.out).toContain('Job queue schema (pg-boss) is ready.');
    const again = migrate({ DATABASE_URL: db.url });
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('Nothing to apply.');
  });

  test('a failing migration: exit 1, the migration named with its cause, what to do next', async () => {
    const db = await emptyDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE images (id int)'); // what the first migration creates
    await client.end();
    const res = migrate({ DATABASE_URL: db.url });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/Migration failed: Migration 0001_initial failed: .*"images" already exists/);
    expect(res.err).toContain('run `npm run migrate` again');
    expect(res.err).not.toMatch(/^\s+at /m); // a sentence, not a stack trace
  });

  test('an unreachable database: exit 1 naming the server, without its password', () => {
    const res = migrate({ DATABASE_URL: 'postgres://demo_vm:s3cret-pass@127.0.0.1:1/demo_vm' });
    expect(res.code).toBe(1);
    expect(res.err).toContain('Could not reach the database (postgres://demo_vm:***@127.0.0.1:1/demo_vm)');
    expect(`${res.out}${res.err}`).not.toContain('s3cret-pass');
  });

  test('bad configuration: exit 78 with every problem listed', () => {
    const res = migrate({ DATABASE_URL: 'mysql://x', NODE_ENV: 'production' });
    expect(res.code).toBe(78);
    expect(res.err).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(res.err).toContain('SLACK_BOT_TOKEN');
  });
});
