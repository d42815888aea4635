export { FakeBillingCatalog, type FakeBillingOptions } from './server.ts';
export { COMPUTE_SERVICE, sampleCatalog, sku, type CatalogSku } from './catalog.ts';
