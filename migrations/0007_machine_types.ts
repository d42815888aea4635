import { sql, type Kysely } from 'kysely';

/**
 * What the web role shows from Google without loading Google's libraries: the machine types of the
 * allowed zones (refreshed by the worker from machineTypes.list), and where each catalog image is
 * kept (its region, from the machine image's source instance or storage location).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE machine_types (
      project text NOT NULL,
      zone text NOT NULL,
      name text NOT NULL,
      guest_cpus integer NOT NULL,
      memory_mb integer NOT NULL,
      is_shared_cpu boolean NOT NULL,
      refreshed_at timestamptz NOT NULL,
      PRIMARY KEY (project, zone, name)
    )`.execute(db);
  // A region (us-central1) or a multi-region (us); null until the next catalog sync sees the image.
  await sql`ALTER TABLE images ADD COLUMN region text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
