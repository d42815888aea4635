import { sql, type Kysely } from 'kysely';

/**
 * What bookings (#25) and idle suspension (#26) share, so both build on one schema:
 *
 * - demos.opened_at: the last time someone pressed the demo's "Open the app" button (the one user
 *   action on a demo the app can observe; SSH-in-browser and console links are not).
 * - demo states 'booked' (no VM yet: a launch at a future time), 'cancelled' (a booking given up
 *   before it started) and 'suspended' (GCE keeps memory and disks; no running hours).
 * - suspended_intervals: a demo's suspended time, its own ledger entry (memory and disk storage,
 *   never running hours), priced per GB like the warm pool's suspended clones.
 * - idle_keeps: each "Keep running" press on an idle warning, so digests can name the idle hours it
 *   kept running (ended when activity returns, or the demo is suspended, stopped or deleted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE demos ADD COLUMN opened_at timestamptz`.execute(db);
  await sql`ALTER TABLE demos DROP CONSTRAINT demos_state_check`.execute(db);
  await sql`
    ALTER TABLE demos ADD CONSTRAINT demos_state_check
      CHECK (state IN ('booked', 'provisioning', 'running', 'suspended', 'stopped', 'saving', 'deleted', 'failed', 'cancelled'))`.execute(db);
  await sql`
    CREATE TABLE suspended_intervals (
      id bigserial PRIMARY KEY,
      demo_id uuid NOT NULL REFERENCES demos (id),
      user_id text NOT NULL,
      image_id uuid NOT NULL,
      machine_type text NOT NULL,
      zone text NOT NULL,
      memory_mb integer NOT NULL,
      disk_gb integer NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      CHECK (ended_at IS NULL OR ended_at >= started_at)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX suspended_intervals_one_open ON suspended_intervals (demo_id) WHERE ended_at IS NULL`.execute(db);
  await sql`CREATE INDEX suspended_intervals_period ON suspended_intervals (started_at, ended_at)`.execute(db);
  await sql`
    CREATE TABLE idle_keeps (
      id bigserial PRIMARY KEY,
      demo_id uuid NOT NULL REFERENCES demos (id),
      -- who pressed Keep running (the owner, or an admin on their behalf)
      user_id text NOT NULL,
      owner_id text NOT NULL,
      machine_type text NOT NULL,
      zone text NOT NULL,
      -- the demo had shown no activity since idle_since when the warning went out
      idle_since timestamptz NOT NULL,
      pressed_at timestamptz NOT NULL,
      ended_at timestamptz,
      CHECK (ended_at IS NULL OR ended_at >= pressed_at)
    )`.execute(db);
  await sql`CREATE INDEX idle_keeps_period ON idle_keeps (pressed_at, ended_at)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
