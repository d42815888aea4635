import { sql, type Kysely } from 'kysely';

/**
 * The replay check is the one database write before a Slack ack. Logged, each claim's commit waited
 * for its WAL flush (an fsync: tens of ms on a shared disk, ~30 ms ack p50 at 200 requests/s); an
 * unlogged table's commit does not. What an unlogged table gives up is its rows after a PostgreSQL
 * crash, i.e. at most five minutes of signatures: the timestamp check still refuses anything older.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE slack_request_replays SET UNLOGGED`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
