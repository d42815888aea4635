import type { Capability } from '../capability.ts';
import { CatalogQueues } from './ids.ts';
import { syncCatalog } from './service.ts';
import { registerCatalogListeners } from './slack.ts';
import { workCatalog } from './worker.ts';

export const catalogCapability: Capability = {
  name: 'catalog',
  queues: CatalogQueues,
  web: registerCatalogListeners,
  worker: workCatalog,
  async afterStart(ctx) {
    const result = await syncCatalog(ctx);
    ctx.log.info(result, 'catalog synced with GCE at start');
  },
};
