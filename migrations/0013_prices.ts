import { sql, type Kysely } from 'kysely';

/**
 * Prices from Google's Cloud Billing Catalog instead of a hand-seeded table: the unit rates the worker
 * reads daily (per region: vCPU-hour and GiB-hour per machine family, on demand and Spot; storage per
 * GiB-month), and machine_prices split into catalog-derived rows and admins' overrides, which win.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE price_rates (
      region text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('core', 'ram', 'storage')),
      family text NOT NULL,
      tier text NOT NULL CHECK (tier IN ('ondemand', 'spot')),
      unit_price numeric(18, 9) NOT NULL CHECK (unit_price > 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      sku_id text NOT NULL,
      description text NOT NULL,
      refreshed_at timestamptz NOT NULL,
      PRIMARY KEY (region, kind, family, tier)
    )`.execute(db);
  // An override keeps the catalog's figure beside it, so the admin listing can say what it replaces.
  await sql`ALTER TABLE machine_prices ADD COLUMN source text NOT NULL DEFAULT 'override' CHECK (source IN ('catalog', 'override'))`.execute(db);
  await sql`ALTER TABLE machine_prices ADD COLUMN catalog_price numeric(12, 6)`.execute(db);
  // The prices 0003 seeded by hand (no updated_by) give way to the catalog; admins' prices stay overrides.
  await sql`DELETE FROM machine_prices WHERE updated_by IS NULL`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
