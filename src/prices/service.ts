import type { Config } from '../config.ts';
import type { Clock } from '../platform/clock.ts';
import { regionOfZone } from '../platform/compute/port.ts';
import type { Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { listForZones } from '../machine-types/store.ts';
import { familyOf, machineHourlyPrice, ratesOf, type Rate } from './rules.ts';
import { catalogStatus, lockPrices, machineRates, replaceRates, setCatalogStatus, unpricedMachineTypes, writeMachinePrices } from './store.ts';
import type { SkuReader } from './billing.ts';

export interface PriceDeps {
  db: Db;
  config: { gce: Pick<Config['gce'], 'project' | 'zones'> };
  clock: Clock;
  log: Logger;
}

/**
 * Read every Compute Engine SKU from the catalog, store the rates the rules match and re-price the
 * machine types. A read that fails (or matches nothing) changes no price: yesterday's stay, and the
 * failure is recorded for /readyz. Returns whether the catalog was read.
 */
export async function refreshPrices(deps: PriceDeps, reader: SkuReader): Promise<boolean> {
  const { db, clock, log } = deps;
  const previous = await catalogStatus(db);
  let skus = 0;
  const rates: Rate[] = [];
  try {
    for await (const sku of reader.listSkus()) {
      skus++;
      rates.push(...ratesOf(sku));
    }
    if (!rates.length) throw new Error(`the catalog's ${skus} SKUs matched no price rule`);
  } catch (err) {
    const now = clock.now();
    await setCatalogStatus(db, { ...previous, failedAt: now.toISOString(), error: (err as Error).message.slice(0, 300) }, now);
    log.warn({ err, lastSuccessAt: previous.lastSuccessAt }, 'could not read the price catalog; the previous prices stay');
    return false;
  }
  const now = clock.now();
  await replaceRates(db, rates, now);
  await setCatalogStatus(db, { lastSuccessAt: now.toISOString(), skus, rates: rates.length, failedAt: null, error: null }, now);
  await repriceMachineTypes(deps);
  const unknown = await unpricedMachineTypes(db, deps.config.gce.project, deps.config.gce.zones);
  // The refresh runs once a day: so is this line.
  if (unknown.length) log.warn({ unknown }, 'machine types without a catalog price (shown as "price unknown")');
  log.info({ skus, rates: rates.length }, 'prices read from the Cloud Billing Catalog');
  return true;
}

/**
 * Each stored machine type's hourly price in each region of the allowed zones, from the stored rates
 * (run after the rates or the machine types change).
 */
export async function repriceMachineTypes(deps: Pick<PriceDeps, 'db' | 'config' | 'clock'>): Promise<void> {
  const { db, config, clock } = deps;
  await db.transaction().execute(async (trx) => {
    await lockPrices(trx);
    const types = await listForZones(trx, config.gce.project, config.gce.zones);
    const rates = await machineRates(trx);
    const prices = new Map<string, { machineType: string; region: string; price: number | null }>();
    for (const t of types) {
      const region = regionOfZone(t.zone);
      prices.set(`${t.name}@${region}`, { machineType: t.name, region, price: machineHourlyPrice(t, rates.get(`${region}/${familyOf(t.name)}`) ?? {}) });
    }
    await writeMachinePrices(trx, [...prices.values()], clock.now());
  });
}
