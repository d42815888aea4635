import { openPglite, openPostgres, type DbHandle } from '../../src/platform/db.ts';
import { createTestDatabase } from './postgres.ts';

/** An empty database on each backend (no migrations run), for tests of the migrations themselves. */
export const EMPTY_DATABASES: Array<[string, () => Promise<{ h: DbHandle; done: () => Promise<void> }>]> = [
  [
    'PostgreSQL (empty database)',
    async () => {
      const tdb = await createTestDatabase({ empty: true });
      const h = openPostgres(tdb.url);
      return { h, done: async () => (await h.close(), await tdb.drop()) };
    },
  ],
  [
    'PGlite (in memory)',
    async () => {
      const h = await openPglite(null);
      return { h, done: () => h.close() };
    },
  ],
];
