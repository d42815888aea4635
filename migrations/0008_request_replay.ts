import { sql, type Kysely } from 'kysely';

/**
 * Signatures of the Slack requests already accepted, shared by every web replica: the same signed
 * request sent again inside Slack's 5-minute window is a replay. A row is useless once its
 * timestamp is out of the window (the timestamp check alone refuses the request then), so each row
 * carries that moment and old rows are deleted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE slack_request_replays (
      key text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX slack_request_replays_expiry ON slack_request_replays (expires_at)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
