import { sql, type Kysely } from 'kysely';

/**
 * Accounting: an index for "which intervals overlap this period" (digests and /demo usage), a lease on
 * digest posts (two replicas, or a crashed sender, never post one period twice), and public list
 * prices for common machine types.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Overlap with a period is one range test; a running VM's interval is [started_at, ∞). INCLUDE lets
  // the digest read everything it sums from the index (the planner needs the raw columns for that).
  await sql`
    CREATE INDEX usage_period ON usage_intervals USING gist (tstzrange(started_at, ended_at, '[)'))
    INCLUDE (started_at, ended_at, user_id, image_id, machine_type, zone)`.execute(db);

  // VMs running now, oldest first: without it, ORDER BY started_at LIMIT walks the whole by-time index
  // (the open intervals are the newest).
  await sql`CREATE INDEX usage_open_by_start ON usage_intervals (started_at) WHERE ended_at IS NULL`.execute(db);

  // Who is sending a digest and until when: a claim that outlives its sender (crash) expires.
  await sql`ALTER TABLE digest_posts ADD COLUMN claimed_by text`.execute(db);
  await sql`ALTER TABLE digest_posts ADD COLUMN lease_until timestamptz`.execute(db);
  await sql`ALTER TABLE digest_posts ADD COLUMN attempts integer NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE digest_posts ADD COLUMN sent_at timestamptz`.execute(db);
  // When the current schedule began: a rescheduled digest does not catch up on periods from before.
  await sql`ALTER TABLE digest_subscriptions ADD COLUMN schedule_since timestamptz`.execute(db);

  // On-demand list prices, USD per hour, Linux, no discounts. Source: Google Cloud SKUs as compiled in
  // https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml (generated from the
  // Cloud Billing Catalog API on 2026-07-30, commit fd66b26), which matches
  // https://cloud.google.com/compute/vm-instance-pricing. Region '*' is the fallback for regions not
  // listed (the us-central1 price). Admins correct them with `/demo admin price`.
  const prices: Record<string, Record<string, number>> = {
    'e2-micro': {
      'us-central1': 0.008376,
      'us-east1': 0.008376,
      'us-west1': 0.008376,
      'europe-west1': 0.009214,
      'europe-west3': 0.010792,
      'europe-west4': 0.009222,
      'asia-southeast1': 0.010333,
    },
    'e2-small': {
      'us-central1': 0.016753,
      'us-east1': 0.016753,
      'us-west1': 0.016753,
      'europe-west1': 0.018429,
      'europe-west3': 0.021584,
      'europe-west4': 0.018443,
      'asia-southeast1': 0.020667,
    },
    'e2-medium': {
      'us-central1': 0.033506,
      'us-east1': 0.033506,
      'us-west1': 0.033506,
      'europe-west1': 0.036858,
      'europe-west3': 0.043168,
      'europe-west4': 0.036886,
      'asia-southeast1': 0.041333,
    },
    'e2-standard-2': {
      'us-central1': 0.067011,
      'us-east1': 0.067011,
      'us-west1': 0.067011,
      'europe-west1': 0.073715,
      'europe-west3': 0.086336,
      'europe-west4': 0.073772,
      'asia-southeast1': 0.082666,
    },
    'e2-standard-4': {
      'us-central1': 0.134023,
      'us-east1': 0.134023,
      'us-west1': 0.134023,
      'europe-west1': 0.147431,
      'europe-west3': 0.172671,
      'europe-west4': 0.147544,
      'asia-southeast1': 0.165332,
    },
    'e2-standard-8': {
      'us-central1': 0.268046,
      'us-east1': 0.268046,
      'us-west1': 0.268046,
      'europe-west1': 0.294862,
      'europe-west3': 0.345342,
      'europe-west4': 0.295088,
      'asia-southeast1': 0.330665,
    },
    'n2-standard-2': {
      'us-central1': 0.097118,
      'us-east1': 0.097118,
      'us-west1': 0.097118,
      'europe-west1': 0.106834,
      'europe-west3': 0.125124,
      'europe-west4': 0.106916,
      'asia-southeast1': 0.119806,
    },
    'n2-standard-4': {
      'us-central1': 0.194236,
      'us-east1': 0.194236,
      'us-west1': 0.194236,
      'europe-west1': 0.213668,
      'europe-west3': 0.250248,
      'europe-west4': 0.213832,
      'asia-southeast1': 0.239612,
    },
    'n2-standard-8': {
      'us-central1': 0.388472,
      'us-east1': 0.388472,
      'us-west1': 0.388472,
      'europe-west1': 0.427336,
      'europe-west3': 0.500496,
      'europe-west4': 0.427664,
      'asia-southeast1': 0.479224,
    },
    'n1-standard-1': {
      'us-central1': 0.0475,
      'us-east1': 0.0475,
      'us-west1': 0.0475,
      'europe-west1': 0.052252,
      'europe-west3': 0.061198,
      'europe-west4': 0.052292,
      'asia-southeast1': 0.058597,
    },
    'n1-standard-2': {
      'us-central1': 0.095,
      'us-east1': 0.095,
      'us-west1': 0.095,
      'europe-west1': 0.104504,
      'europe-west3': 0.122395,
      'europe-west4': 0.104584,
      'asia-southeast1': 0.117193,
    },
    'n1-standard-4': {
      'us-central1': 0.189999,
      'us-east1': 0.189999,
      'us-west1': 0.189999,
      'europe-west1': 0.209007,
      'europe-west3': 0.24479,
      'europe-west4': 0.209168,
      'asia-southeast1': 0.234386,
    },
  };
  const rows = Object.entries(prices).flatMap(([machineType, byRegion]) => [
    ...Object.entries(byRegion).map(([region, price]) => ({ machine_type: machineType, region, hourly_price: price })),
    { machine_type: machineType, region: '*', hourly_price: byRegion['us-central1']! },
  ]);
  await db
    .insertInto('machine_prices')
    .values(rows.map((r) => ({ ...r, currency: 'USD', updated_by: null, updated_at: sql`now()` })))
    .onConflict((oc) => oc.columns(['machine_type', 'region']).doNothing())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
