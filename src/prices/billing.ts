/**
 * The SKU reader over @google-cloud/billing's CloudCatalogClient with `fallback: true` (REST): the same
 * transport reaches Google (ADC) or a local fake over plain HTTP. Loaded by the worker role only.
 */
import { CloudCatalogClient } from '@google-cloud/billing';
import { clientOptions } from '../platform/compute/gce-endpoint.ts';
import type { Sku } from './rules.ts';

/** Compute Engine in the Cloud Billing Catalog. */
export const COMPUTE_ENGINE_SERVICE = 'services/6F81-5844-456A';

export interface SkuReader {
  /** Every SKU of the service, page after page. */
  listSkus(): AsyncIterable<Sku>;
}

type CatalogOptions = NonNullable<ConstructorParameters<typeof CloudCatalogClient>[0]>;

export function createSkuReader(apiEndpoint?: string): SkuReader {
  // The billing library still bundles google-gax 5 (and its own google-auth-library): the emulator's
  // pass-through auth client from our gax 6 works at run time (tested), but its type is the other copy's.
  const client = new CloudCatalogClient({ ...(clientOptions(apiEndpoint) as CatalogOptions), fallback: true });
  return {
    // The largest page the API gives (5000): the whole Compute Engine catalog is a few pages.
    listSkus: async function* () {
      // Awaited first: without credentials the stub's promise rejects, and inside listSkusAsync nobody hears it.
      await client.initialize();
      yield* client.listSkusAsync({ parent: COMPUTE_ENGINE_SERVICE, pageSize: 5000, currencyCode: 'USD' }, { autoPaginate: false }) as AsyncIterable<Sku>;
    },
  };
}
