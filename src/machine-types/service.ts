import type { Config } from '../config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Compute } from '../platform/compute/port.ts';
import type { Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { replaceZone } from './store.ts';

export interface MachineTypeDeps {
  db: Db;
  compute: Pick<Compute, 'project' | 'listMachineTypes'>;
  config: { gce: Pick<Config['gce'], 'zones' | 'machineTypes'> };
  clock: Clock;
  log: Logger;
}

export interface RefreshResult {
  /** Types stored, per zone refreshed. */
  stored: Record<string, number>;
  /** Zones whose list could not be read (their stored list is left as it was). */
  failed: string[];
}

/**
 * Read the machine types of every allowed zone from GCE and store the allowed ones, so the web role
 * can show them from the database. A zone that fails keeps its last list and the others still
 * refresh; when every zone fails the error is thrown (the caller's job retries).
 */
export async function refreshMachineTypes(deps: MachineTypeDeps): Promise<RefreshResult> {
  const { db, compute, config, clock, log } = deps;
  const allowed = new Set(config.gce.machineTypes);
  const result: RefreshResult = { stored: {}, failed: [] };
  let firstError: unknown;
  for (const zone of config.gce.zones) {
    try {
      const offered = await compute.listMachineTypes(zone);
      const kept = offered.filter((t) => allowed.has(t.name));
      await replaceZone(db, compute.project, zone, kept, clock.now());
      result.stored[zone] = kept.length;
      const missing = [...allowed].filter((name) => !kept.some((t) => t.name === name));
      // Configured but not offered there: launching it in this zone would be refused by GCE.
      if (missing.length) log.warn({ zone, missing }, 'allowed machine types not offered in zone');
    } catch (err) {
      firstError ??= err;
      result.failed.push(zone);
      log.warn({ zone, err }, 'could not refresh machine types of zone');
    }
  }
  if (result.failed.length && result.failed.length === config.gce.zones.length) throw firstError;
  log.info({ stored: result.stored, failed: result.failed }, 'machine types refreshed');
  return result;
}
