import { sql, type Kysely } from 'kysely';

/**
 * Demo lifecycle: saves (a demo saved as a machine image, with what to do with the VM after), lease
 * and retention bookkeeping on demos and images, and who has opened the App Home (so state changes
 * re-publish only Homes someone looks at).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE saves (
      id uuid PRIMARY KEY,
      demo_id uuid NOT NULL REFERENCES demos(id),
      image_id uuid NOT NULL REFERENCES images(id),
      requested_by text NOT NULL,
      after text NOT NULL CHECK (after IN ('keep', 'stop', 'delete')),
      prior_state text NOT NULL CHECK (prior_state IN ('running', 'stopped')),
      state text NOT NULL CHECK (state IN ('creating', 'done', 'failed')),
      failure_reason text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (state <> 'failed' OR failure_reason IS NOT NULL)
    )`.execute(db);
  // One save at a time per VM (GCE would refuse a second one anyway), and the last one is easy to find.
  await sql`CREATE UNIQUE INDEX saves_one_active_per_demo ON saves (demo_id) WHERE state = 'creating'`.execute(db);
  await sql`CREATE INDEX saves_demo_recent ON saves (demo_id, created_at DESC)`.execute(db);

  // Image deletion is a recorded GCE step too.
  await sql`ALTER TABLE steps DROP CONSTRAINT steps_owner_kind_check`.execute(db);
  await sql`ALTER TABLE steps ADD CONSTRAINT steps_owner_kind_check CHECK (owner_kind IN ('demo', 'save', 'export', 'image'))`.execute(db);

  // Lease: when expiry was acted on (cleared by Extend). Retention: warned, and kept by the owner.
  await sql`ALTER TABLE demos ADD COLUMN expired_at timestamptz`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN retention_warned_at timestamptz`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN kept_at timestamptz`.execute(db);
  await sql`ALTER TABLE images ADD COLUMN retention_warned_at timestamptz`.execute(db);
  await sql`ALTER TABLE images ADD COLUMN kept_at timestamptz`.execute(db);
  await sql`CREATE INDEX demos_stopped_since ON demos (updated_at) WHERE state = 'stopped'`.execute(db);
  await sql`CREATE INDEX images_saved_private ON images (created_at) WHERE origin = 'saved' AND deleted_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE home_tabs (
      user_id text PRIMARY KEY,
      opened_at timestamptz NOT NULL
    )`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
