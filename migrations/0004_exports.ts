import { sql, type Kysely } from 'kysely';

/**
 * Image exports: where the temporary VM lives, the build log, when the download link expires and when
 * the export ended. One running export per destination object, so two exports never write the same
 * object and a resumed job can find its own build by destination.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE exports
      ADD COLUMN zone text,
      ADD COLUMN log_url text,
      ADD COLUMN signed_url_expires_at timestamptz,
      ADD COLUMN finished_at timestamptz,
      ADD CONSTRAINT exports_failed_has_reason CHECK (state <> 'failed' OR failure_reason IS NOT NULL)`.execute(db);
  await sql`CREATE UNIQUE INDEX exports_one_active_per_destination ON exports (destination_uri) WHERE state IN ('queued', 'running')`.execute(db);
  await sql`CREATE INDEX exports_requester_recent ON exports (requester_id, created_at DESC)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
