import { sql, type Kysely } from 'kysely';

/**
 * Usage timed by GCE (#22): when the app last saw an interval's VM running (the reconciler refreshes
 * it), and whether its end is an estimate (a VM deleted outside the app leaves no stop time: the
 * interval closes at the last sighting plus at most one reconcile period).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE usage_intervals ADD COLUMN last_seen_at timestamptz`.execute(db);
  await sql`ALTER TABLE usage_intervals ADD COLUMN estimated boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
