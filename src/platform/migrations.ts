import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Db } from './db.ts';
import * as m0001 from '../../migrations/0001_initial.ts';
import * as m0003 from '../../migrations/0003_accounting.ts';
import * as m0004 from '../../migrations/0004_exports.ts';
import * as m0005 from '../../migrations/0005_sharing.ts';
import * as m0006 from '../../migrations/0006_lifecycle.ts';
import * as m0007 from '../../migrations/0007_machine_types.ts';
import * as m0008 from '../../migrations/0008_request_replay.ts';
import * as m0009 from '../../migrations/0009_usage_timing.ts';
import * as m0010 from '../../migrations/0010_display_names.ts';
import * as m0011 from '../../migrations/0011_notifications.ts';
import * as m0013 from '../../migrations/0013_prices.ts';
import * as m0014 from '../../migrations/0014_user_pictures.ts';
import * as m0015 from '../../migrations/0015_replays_unlogged.ts';
import * as m0016 from '../../migrations/0016_warm_pool.ts';
import * as m0017 from '../../migrations/0017_activity_and_suspension.ts';
import * as m0018 from '../../migrations/0018_bookings.ts';
import * as m0019 from '../../migrations/0019_idle.ts';

/** Listed in code: a file-scanning provider cannot load .ts files under vitest. Forward-only. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': m0001,
  '0003_accounting': m0003,
  '0004_exports': m0004,
  '0005_sharing': m0005,
  '0006_lifecycle': m0006,
  '0007_machine_types': m0007,
  '0008_request_replay': m0008,
  '0009_usage_timing': m0009,
  '0010_display_names': m0010,
  '0011_notifications': m0011,
  '0013_prices': m0013,
  '0014_user_pictures': m0014,
  '0015_replays_unlogged': m0015,
  '0016_warm_pool': m0016,
  '0017_activity_and_suspension': m0017,
  '0018_bookings': m0018,
  '0019_idle': m0019,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1)!;

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Numbers are handed out ahead and land in any order (0010 may ship before 0008): each applies once.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (for /readyz). */
export async function migrationsApplied(db: Db): Promise<boolean> {
  const migrator = new Migrator({ db, provider });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
