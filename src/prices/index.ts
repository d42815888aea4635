import type { Capability } from '../capability.ts';
import type { WorkerContext } from '../context.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import type { SkuReader } from './billing.ts';
import { refreshPrices, repriceMachineTypes } from './service.ts';
import { catalogStatus, hasRates } from './store.ts';

/** The catalog is read once a day; a failed read is tried again the next hour. */
const FRESH_MS = 23 * 3600_000;

async function refreshIfStale(ctx: WorkerContext, reader: SkuReader, now: Date): Promise<void> {
  const { lastSuccessAt } = await catalogStatus(ctx.db);
  if (lastSuccessAt && now.getTime() - Date.parse(lastSuccessAt) < FRESH_MS) return;
  await refreshPrices(ctx, reader);
}

const readers = new WeakMap<WorkerContext['config'], Promise<SkuReader>>();
/** Google's billing library: loaded by the worker role only, on first use; one client per app. */
function skuReader(ctx: WorkerContext): Promise<SkuReader> {
  let reader = readers.get(ctx.config);
  if (!reader) {
    reader = import('./billing.ts').then(({ createSkuReader }) => createSkuReader(ctx.config.prices.billingEndpoint));
    readers.set(ctx.config, reader);
  }
  return reader;
}

/** List prices from the Cloud Billing Catalog (docs/PRICES.md): the worker reads them, everyone shows them. */
export const pricesCapability: Capability = {
  name: 'prices',
  subscribe(ctx) {
    ctx.events.on('machine-types-refreshed', () => repriceMachineTypes(ctx));
  },
  worker({ ctx, scheduler }) {
    scheduler.add(
      oncePerPeriod(ctx, { name: 'prices-refresh', cron: '23 * * * *', periodMinutes: 60 }, async (now) => refreshIfStale(ctx, await skuReader(ctx), now)),
    );
  },
  // A worker start reads the catalog only when no price was ever read (the daily schedule does the rest).
  async afterStart(ctx) {
    if (!(await hasRates(ctx.db))) await refreshPrices(ctx, await skuReader(ctx));
  },
  // Stale prices are no outage: /readyz says how old they are and why, and stays ready.
  async readyDetails(ctx) {
    const s = await catalogStatus(ctx.db);
    return { priceCatalog: s.error ? { ...s, note: 'the last read failed: the previous prices stay in use' } : s };
  },
};
