import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { openPglite } from '../../src/platform/db.ts';
import { LATEST_MIGRATION, migrateToLatest, migrationsApplied } from '../../src/platform/migrations.ts';

/** A fresh DATA_DIR starts from a cluster cached in XDG_CACHE_HOME (made once), not from initdb. */
describe('PGlite data directories from the cached template cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'demo-vm-template-'));
  const cache = join(root, 'cache');
  const savedCache = process.env.XDG_CACHE_HOME;
  beforeAll(() => {
    process.env.XDG_CACHE_HOME = cache;
  });
  afterAll(() => {
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    rmSync(root, { recursive: true, force: true });
  });

  const templates = () => (existsSync(join(cache, 'demo-vm')) ? readdirSync(join(cache, 'demo-vm')) : []);

  test('the first fresh directory makes the template; it is a cluster with our extensions and no lock', { timeout: 120_000 }, async () => {
    const h = await openPglite(join(root, 'first'));
    try {
      expect(templates()).toEqual([expect.stringMatching(/^pglite-cluster-[0-9a-f]{16}$/)]);
      const template = join(cache, 'demo-vm', templates()[0]!);
      expect(existsSync(join(template, 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(template, 'demo-vm.lock'))).toBe(false);
      expect(await migrateToLatest(h.db)).toContain(LATEST_MIGRATION);
    } finally {
      await h.close();
    }
  });

  test('a second fresh directory is a copy of it: the extension is there before any migration, and migrations run', { timeout: 120_000 }, async () => {
    const dir = join(root, 'second');
    const h = await openPglite(dir);
    try {
      const { rows } = await sql<{ extname: string }>`select extname from pg_extension where extname = 'btree_gist'`.execute(h.db);
      expect(rows).toEqual([{ extname: 'btree_gist' }]);
      expect(await migrationsApplied(h.db)).toBe(false);
      expect(await migrateToLatest(h.db)).toContain(LATEST_MIGRATION);
    } finally {
      await h.close();
    }
    // Reopened: the same database, nothing copied over it.
    const again = await openPglite(dir);
    try {
      expect(await migrationsApplied(again.db)).toBe(true);
    } finally {
      await again.close();
    }
    expect(templates()).toHaveLength(1);
  });
});
