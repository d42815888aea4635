import { sql } from 'kysely';
import { afterAll, expect, test } from 'vitest';
import { openPostgres } from '../../src/platform/db.ts';
import { createTestDatabase } from '../harness/postgres.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';

const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
afterAll(() => proxy.close());

test('a connection lost mid-query rejects that query and leaves the process running; the pool reconnects', async () => {
  const database = await createTestDatabase({ empty: true });
  await proxy.listen();
  const handle = openPostgres(proxy.url(database.url));
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const slow = sql`select pg_sleep(5)`.execute(handle.db);
    await new Promise((r) => setTimeout(r, 300));
    proxy.cut();
    await expect(slow).rejects.toThrow(/Connection terminated unexpectedly/);
    await new Promise((r) => setTimeout(r, 100));
    expect(uncaught).toEqual([]);
    proxy.restore();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  } finally {
    process.off('uncaughtException', onUncaught);
    await handle.close();
    await database.drop();
  }
});
