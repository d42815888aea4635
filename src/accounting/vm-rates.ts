import { sql, type RawBuilder } from 'kysely';
import { DISCOUNT_SQL, storageRateSql } from '../prices/store.ts';

/**
 * What a VM costs per hour, as SQL expressions of a row: running (its machine type's hourly price in
 * its region, else the any-region price) and suspended (memory and disks kept, priced per GiB-month
 * like GCE bills them). The discount is applied; null where the catalog has no price.
 */

/** Hours in GCE's storage month: a GiB-month rate is charged per hour at rate / 730. */
export const HOURS_PER_MONTH = 730;

export function runningHourlySql(machineType: RawBuilder<unknown>, region: RawBuilder<string>): RawBuilder<number | null> {
  return sql<number | null>`(SELECT p.hourly_price * ${DISCOUNT_SQL} FROM machine_prices p
                 WHERE p.machine_type = ${machineType} AND p.region IN (${region}, '*')
                 ORDER BY p.region = '*' LIMIT 1)::float8`;
}

/** The two GiB-month rates a suspended VM pays: its balanced persistent disk and its saved memory and device state. */
export function suspendedRatesSql(region: RawBuilder<string>): { disk: RawBuilder<number | null>; memory: RawBuilder<number | null> } {
  return { disk: storageRateSql(region, 'pd-balanced'), memory: storageRateSql(region, 'suspended') };
}
