import type { Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database } from '../platform/db-schema.ts';

type DbOrTrx = Db | Transaction<Database>;

/** A machine type as the web role reads it: no Google library needed. */
export interface StoredMachineType {
  project: string;
  zone: string;
  name: string;
  guestCpus: number;
  memoryMb: number;
  isSharedCpu: boolean;
  refreshedAt: Date;
}

export type MachineTypeSize = Pick<StoredMachineType, 'name' | 'guestCpus' | 'memoryMb' | 'isSharedCpu'>;

/**
 * Make the stored list of a zone exactly `types` (one transaction: a reader never sees the zone
 * half-refreshed). Types no longer listed go; the rest are updated in place.
 */
export async function replaceZone(db: Db, project: string, zone: string, types: readonly MachineTypeSize[], now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let gone = trx.deleteFrom('machine_types').where('project', '=', project).where('zone', '=', zone);
    if (types.length)
      gone = gone.where(
        'name',
        'not in',
        types.map((t) => t.name),
      );
    await gone.execute();
    if (!types.length) return;
    await trx
      .insertInto('machine_types')
      .values(
        types.map((t) => ({ project, zone, name: t.name, guest_cpus: t.guestCpus, memory_mb: t.memoryMb, is_shared_cpu: t.isSharedCpu, refreshed_at: now })),
      )
      .onConflict((oc) =>
        oc.columns(['project', 'zone', 'name']).doUpdateSet((eb) => ({
          guest_cpus: eb.ref('excluded.guest_cpus'),
          memory_mb: eb.ref('excluded.memory_mb'),
          is_shared_cpu: eb.ref('excluded.is_shared_cpu'),
          refreshed_at: eb.ref('excluded.refreshed_at'),
        })),
      )
      .execute();
  });
}

/** The stored machine types of these zones, by zone then by size (vCPUs, memory), then name. */
export async function listForZones(db: DbOrTrx, project: string, zones: readonly string[]): Promise<StoredMachineType[]> {
  if (!zones.length) return [];
  const rows = await db
    .selectFrom('machine_types')
    .selectAll()
    .where('project', '=', project)
    .where('zone', 'in', [...zones])
    .orderBy('zone')
    .orderBy('guest_cpus')
    .orderBy('memory_mb')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({
    project: r.project,
    zone: r.zone,
    name: r.name,
    guestCpus: r.guest_cpus,
    memoryMb: r.memory_mb,
    isSharedCpu: r.is_shared_cpu,
    refreshedAt: r.refreshed_at,
  }));
}

/** The zones whose stored list is missing or was last refreshed before `since`. */
export async function staleZones(db: DbOrTrx, project: string, zones: readonly string[], since: Date): Promise<string[]> {
  if (!zones.length) return [];
  const fresh = await db
    .selectFrom('machine_types')
    .select('zone')
    .where('project', '=', project)
    .where('zone', 'in', [...zones])
    .groupBy('zone')
    .having((eb) => eb.fn.min('refreshed_at'), '>=', since)
    .execute();
  const freshZones = new Set(fresh.map((r) => r.zone));
  return zones.filter((z) => !freshZones.has(z));
}
