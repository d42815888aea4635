import { sql, type Kysely } from 'kysely';

/**
 * The warm pool: how many suspended clones an admin keeps ready per catalog image, and each pool VM
 * from its creation until it is handed to a user's demo (or deleted). A pool VM's rows are the pool's
 * own accounting: running while warming (created_at → suspended_at), suspended (suspended_at →
 * ended_at); from hand-out on it is the demo's, in usage_intervals.
 *
 * images.replaces: the machine image a catalog image is a newer version of (its `replaces` label),
 * so the pool follows the newest version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE pool_sizes (
      image_id uuid PRIMARY KEY REFERENCES images (id),
      size integer NOT NULL CHECK (size BETWEEN 0 AND 20),
      -- auto: the size follows demand (a day's launches over the last two weeks), size is its cap
      auto boolean NOT NULL DEFAULT false,
      -- why the app itself turned the pool off (GCE cannot suspend the image's VMs), for the admin
      stopped_reason text,
      set_by text NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE pool_vms (
      id uuid PRIMARY KEY,
      instance_name text NOT NULL UNIQUE,
      image_id uuid NOT NULL REFERENCES images (id),
      zone text NOT NULL,
      machine_type text NOT NULL,
      state text NOT NULL CHECK (state IN ('warming', 'ready', 'taken', 'retiring', 'gone')),
      disk_gb integer,
      memory_mb integer,
      created_at timestamptz NOT NULL,
      suspended_at timestamptz,
      ended_at timestamptz,
      demo_id uuid UNIQUE REFERENCES demos (id),
      retire_reason text,
      CHECK ((state = 'taken') = (demo_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX pool_vms_ready ON pool_vms (image_id, zone, suspended_at) WHERE state = 'ready'`.execute(db);
  await sql`CREATE INDEX pool_vms_period ON pool_vms (created_at, ended_at)`.execute(db);
  await sql`ALTER TABLE images ADD COLUMN replaces text`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN from_pool boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE demos ADD COLUMN ready_seconds integer`.execute(db);
  await sql`ALTER TABLE steps DROP CONSTRAINT steps_owner_kind_check`.execute(db);
  await sql`ALTER TABLE steps ADD CONSTRAINT steps_owner_kind_check CHECK (owner_kind IN ('demo', 'save', 'export', 'image', 'pool'))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
