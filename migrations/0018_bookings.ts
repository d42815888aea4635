import { sql, type Kysely } from 'kysely';

/**
 * Bookings (#25): a demo booked for a time is a `booked` demo row with no VM until the app starts it.
 *
 * - demos.ready_by: when the owner wants it ready (its lifetime counts from then: expires_at = ready_by + ttl).
 * - demos.launch_at: when the app plans to start it (ready_by minus the expected launch time and a
 *   margin), recomputed each minute as the pool and the launch history change; once started, when it did.
 * - demos.reminded_at: the reminder 10 minutes before ready_by went out (or was not needed).
 * - user_names.tz: the user's Slack time zone (users.info `tz`), to read "tomorrow 9:00" as they mean it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE demos ADD COLUMN ready_by timestamptz`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN launch_at timestamptz`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN reminded_at timestamptz`.execute(db);
  await sql`CREATE INDEX demos_booked ON demos (launch_at) WHERE state = 'booked'`.execute(db);
  await sql`CREATE INDEX demos_reminders ON demos (ready_by) WHERE ready_by IS NOT NULL AND reminded_at IS NULL`.execute(db);
  await sql`ALTER TABLE user_names ADD COLUMN tz text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
