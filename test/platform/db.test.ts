import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { openPostgres } from '../../src/platform/db.ts';
import { eventually } from '../harness/eventually.ts';
import { createTestDatabase } from '../harness/postgres.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';

const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
afterAll(() => proxy.close());

test('a connection lost mid-query rejects that query and leaves the process running; the pool reconnects', async () => {
  const database = await createTestDatabase({ empty: true });
  await proxy.listen();
  const handle = openPostgres(proxy.url(database.url));
  const observer = new pg.Client({ connectionString: database.url });
  await observer.connect();
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const slow = sql`select pg_sleep(5)`.execute(handle.db);
    // Cut only once the server is running the query, so the connection is lost mid-query, not while connecting.
    await eventually(
      async () => {
        const { rows } = await observer.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'active' and query like 'select pg_sleep%'`,
          [database.name],
        );
        return rows[0]!.n;
      },
      (n) => n === 1,
    );
    proxy.cut();
    await expect(slow).rejects.toThrow(/Connection terminated unexpectedly/);
    // Both sides of the lost connection closed: any 'error' it was to emit has been emitted.
    await eventually(
      () => proxy.connections,
      (n) => n === 0,
    );
    expect(uncaught).toEqual([]);
    proxy.restore();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  } finally {
    process.off('uncaughtException', onUncaught);
    await observer.end();
    await handle.close();
    await database.drop();
  }
});
