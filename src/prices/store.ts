import { sql, type RawBuilder, type Transaction } from 'kysely';
import { regionOfZoneSql } from '../platform/compute/port.ts';
import type { Database } from '../platform/db-schema.ts';
import type { Db } from '../platform/db.ts';
import { putSetting } from '../platform/settings.ts';
import { ANY_REGION, type Rate, type StorageKind } from './rules.ts';

type DbOrTrx = Db | Transaction<Database>;

const CATALOG_KEY = 'prices.catalog';
const DISCOUNT_KEY = 'prices.discount';

/** Replace every rate with what the catalog gave now (one transaction: readers never see half). */
export async function replaceRates(db: Db, rates: readonly Rate[], now: Date): Promise<void> {
  // Two SKUs for one region and family would collide on the key: the first one read wins.
  const unique = new Map(rates.map((r) => [`${r.region}/${r.kind}/${r.family}/${r.tier}`, r] as const).reverse());
  await db.transaction().execute(async (trx) => {
    await lockPrices(trx);
    await trx.deleteFrom('price_rates').execute();
    const rows = [...unique.values()].map((r) => ({
      region: r.region,
      kind: r.kind,
      family: r.family,
      tier: r.tier,
      unit_price: r.unitPrice,
      currency: r.currency,
      sku_id: r.skuId,
      description: r.description,
      refreshed_at: now,
    }));
    for (let i = 0; i < rows.length; i += 1000)
      await trx
        .insertInto('price_rates')
        .values(rows.slice(i, i + 1000))
        .execute();
  });
}

export async function hasRates(db: DbOrTrx): Promise<boolean> {
  return (await db.selectFrom('price_rates').select('region').limit(1).executeTakeFirst()) !== undefined;
}

/** Price writers (a catalog read, a re-pricing after new machine types) take turns: each reads what the other wrote. */
export async function lockPrices(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('demo-vm.prices'))`.execute(trx);
}

/** On-demand core and RAM rates by `region/family`. */
export async function machineRates(db: DbOrTrx): Promise<Map<string, { core?: number; ram?: number }>> {
  const rows = await db
    .selectFrom('price_rates')
    .select(['region', 'family', 'kind', 'unit_price'])
    .where('tier', '=', 'ondemand')
    .where('kind', 'in', ['core', 'ram'])
    .execute();
  const out = new Map<string, { core?: number; ram?: number }>();
  for (const r of rows) {
    const key = `${r.region}/${r.family}`;
    out.set(key, { ...out.get(key), [r.kind]: Number(r.unit_price) });
  }
  return out;
}

/**
 * Make the catalog's machine prices `prices` (machine type, region → hourly price or null). An admin's
 * override keeps its price and records the catalog's beside it; a catalog row without a price now goes.
 */
export async function writeMachinePrices(
  trx: Transaction<Database>,
  prices: ReadonlyArray<{ machineType: string; region: string; price: number | null }>,
  now: Date,
): Promise<void> {
  const priced = prices.filter((p) => p.price !== null);
  for (const p of prices.filter((x) => x.price === null)) {
    await trx.deleteFrom('machine_prices').where('machine_type', '=', p.machineType).where('region', '=', p.region).where('source', '=', 'catalog').execute();
    await trx.updateTable('machine_prices').set({ catalog_price: null }).where('machine_type', '=', p.machineType).where('region', '=', p.region).execute();
  }
  if (!priced.length) return;
  await trx
    .insertInto('machine_prices')
    .values(
      priced.map((p) => ({
        machine_type: p.machineType,
        region: p.region,
        hourly_price: p.price!,
        catalog_price: p.price!,
        source: 'catalog' as const,
        currency: 'USD',
        updated_by: null,
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['machine_type', 'region']).doUpdateSet((eb) => ({
        catalog_price: eb.ref('excluded.catalog_price'),
        // An override wins: only the catalog's own rows take the new price.
        hourly_price: sql<string>`CASE WHEN machine_prices.source = 'catalog' THEN excluded.hourly_price ELSE machine_prices.hourly_price END`,
        updated_at: sql<Date>`CASE WHEN machine_prices.source = 'catalog' THEN excluded.updated_at ELSE machine_prices.updated_at END`,
      })),
    )
    .execute();
}

/** Machine types of these zones with no price in their region (catalog, override or any-region): "price unknown". */
export async function unpricedMachineTypes(db: DbOrTrx, project: string, zones: readonly string[]): Promise<Array<{ machineType: string; region: string }>> {
  if (!zones.length) return [];
  const region = regionOfZoneSql('t.zone');
  const rows = await db
    .selectFrom('machine_types as t')
    .select(['t.name', region.as('region')])
    .distinct()
    .where('t.project', '=', project)
    .where('t.zone', 'in', [...zones])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('machine_prices as p')
            .select('p.region')
            .whereRef('p.machine_type', '=', 't.name')
            .where((eb) => eb.or([eb('p.region', '=', region), eb('p.region', '=', ANY_REGION)])),
        ),
      ),
    )
    .orderBy('t.name')
    .orderBy('region')
    .execute();
  return rows.map((r) => ({ machineType: r.name, region: r.region }));
}

export interface CatalogStatus {
  /** When the catalog was last read in full, and how many SKUs and rates it gave. */
  lastSuccessAt: string | null;
  skus: number;
  rates: number;
  /** The last read's failure, while it is the latest outcome. */
  failedAt: string | null;
  error: string | null;
}

const NO_STATUS: CatalogStatus = { lastSuccessAt: null, skus: 0, rates: 0, failedAt: null, error: null };

export async function catalogStatus(db: DbOrTrx): Promise<CatalogStatus> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', CATALOG_KEY).executeTakeFirst();
  return { ...NO_STATUS, ...(row?.value as Partial<CatalogStatus> | undefined) };
}

export async function setCatalogStatus(db: DbOrTrx, status: CatalogStatus, now: Date): Promise<void> {
  await putSetting(db, CATALOG_KEY, status, null, now);
}

/** The admin's discount: what list prices are multiplied by (1 = none). */
export async function discountFactor(db: DbOrTrx): Promise<number> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', DISCOUNT_KEY).executeTakeFirst();
  const factor = (row?.value as { factor?: unknown } | undefined)?.factor;
  return typeof factor === 'number' && factor > 0 && factor <= 1 ? factor : 1;
}

/** The discount factor in SQL, for queries that price usage (accounting, fleet); the same range rule as discountFactor. */
export const DISCOUNT_SQL = sql<number>`coalesce((SELECT f FROM (SELECT (value->>'factor')::float8 AS f FROM settings WHERE key = ${DISCOUNT_KEY}) s WHERE f > 0 AND f <= 1), 1)`;

/**
 * A GiB-month of a kind of storage in a region (an SQL expression of the row), the discount applied;
 * null where the catalog has no price for it, so the user reads "price unknown", never a guess.
 */
export function storageRateSql(region: RawBuilder<string>, kind: StorageKind): RawBuilder<number | null> {
  return sql<
    number | null
  >`(SELECT unit_price::float8 * ${DISCOUNT_SQL} FROM price_rates WHERE kind = 'storage' AND family = ${kind} AND tier = 'ondemand' AND region = ${region})`;
}

export async function setDiscountFactor(db: DbOrTrx, factor: number, by: string, now: Date): Promise<void> {
  await putSetting(db, DISCOUNT_KEY, { factor }, by, now);
}
