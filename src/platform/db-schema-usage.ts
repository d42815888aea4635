import type { Generated } from 'kysely';
import type { GeneratedInt8, Numeric, Timestamp } from './db-columns.ts';

/**
 * Kysely's view of the tables that record VM time and what it costs: running intervals, suspended
 * time, Keep running presses, prices, and the warm pool's own VMs. The rest is in db-schema.ts.
 */

export interface UsageIntervalsTable {
  id: GeneratedInt8;
  demo_id: string;
  user_id: string;
  image_id: string;
  machine_type: string;
  zone: string;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  source: Generated<'app' | 'reconciler'>;
  /** When the app last saw the VM running (null: rows from before 0009). */
  last_seen_at: Timestamp | null;
  /** The end is an estimate (the VM was deleted outside the app). */
  estimated: Generated<boolean>;
}

export interface MachinePricesTable {
  machine_type: string;
  region: string;
  hourly_price: Numeric;
  currency: Generated<string>;
  updated_by: string | null;
  updated_at: Timestamp;
  /** catalog: derived from price_rates by the worker; override: an admin's, which the catalog never replaces. */
  source: Generated<'catalog' | 'override'>;
  /** The catalog's price beside an override (null when the catalog has none). */
  catalog_price: Numeric | null;
}

export interface PriceRatesTable {
  region: string;
  kind: 'core' | 'ram' | 'storage';
  family: string;
  tier: 'ondemand' | 'spot';
  unit_price: Numeric;
  currency: string;
  sku_id: string;
  description: string;
  refreshed_at: Timestamp;
}

/** 0017: a demo's suspended time (memory and disks kept), its own ledger entry. */
export interface SuspendedIntervalsTable {
  id: GeneratedInt8;
  demo_id: string;
  user_id: string;
  image_id: string;
  machine_type: string;
  zone: string;
  memory_mb: number;
  disk_gb: number;
  started_at: Timestamp;
  ended_at: Timestamp | null;
}

/** 0017: a "Keep running" press on an idle warning, until activity returns or the demo goes down. */
export interface IdleKeepsTable {
  id: GeneratedInt8;
  demo_id: string;
  user_id: string;
  owner_id: string;
  machine_type: string;
  zone: string;
  idle_since: Timestamp;
  pressed_at: Timestamp;
  ended_at: Timestamp | null;
}

/** 0016: suspended clones kept ready per catalog image. */
export interface PoolSizesTable {
  image_id: string;
  size: number;
  auto: Generated<boolean>;
  stopped_reason: Generated<string | null>;
  set_by: string;
  updated_at: Timestamp;
}

export type PoolVmState = 'warming' | 'ready' | 'taken' | 'retiring' | 'gone';

/** 0016: one pool VM, created → suspended → taken by a demo (or retired and deleted). */
export interface PoolVmsTable {
  id: string;
  instance_name: string;
  image_id: string;
  zone: string;
  machine_type: string;
  state: PoolVmState;
  disk_gb: number | null;
  memory_mb: number | null;
  created_at: Timestamp;
  suspended_at: Timestamp | null;
  ended_at: Timestamp | null;
  demo_id: string | null;
  retire_reason: string | null;
}
