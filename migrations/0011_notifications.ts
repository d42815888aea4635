import { sql, type Kysely } from 'kysely';

/**
 * Notifications: which comments an image's owner has been told about (batched DMs), and each user's
 * choice to mute those DMs. Comments written before this migration count as told: nobody gets a DM
 * for a conversation from last month.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE comments ADD COLUMN owner_notified_at timestamptz`.execute(db);
  await sql`UPDATE comments SET owner_notified_at = created_at`.execute(db);
  await sql`CREATE INDEX comments_owner_unnotified ON comments (image_id) WHERE owner_notified_at IS NULL`.execute(db);
  await sql`
    CREATE TABLE notification_prefs (
      user_id text PRIMARY KEY,
      comment_dms_muted boolean NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
