import { sql, type Kysely } from 'kysely';

/**
 * user_names becomes the one cache of Slack profiles: the picture too, so a comment posted in the
 * commenter's name (username / icon_url) no longer asks Slack every time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE user_names ADD COLUMN image_72 text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
