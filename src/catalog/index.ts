import type { Capability } from '../capabilities.ts';
import { claimPeriod, slotKey } from '../platform/scheduler.ts';
import { registerCatalogListeners } from './slack.ts';
import { syncCatalog } from './service.ts';

export const catalogCapability: Capability = {
  name: 'catalog',
  async afterStart(ctx) {
    const result = await syncCatalog(ctx);
    ctx.log.info(result, 'catalog synced with GCE at start');
  },
  async register(r) {
    registerCatalogListeners(r);
    const { ctx, scheduler } = r;
    const minutes = ctx.config.gce.catalogSyncMinutes;
    scheduler.add({
      name: 'catalog-sync',
      cron: `*/${Math.min(minutes, 59)} * * * *`,
      tick: async (now) => {
        if (!(await claimPeriod(ctx.db, 'catalog-sync', slotKey(now, minutes), ctx.instanceId, now))) return;
        const result = await syncCatalog(ctx);
        ctx.log.info(result, 'catalog synced with GCE');
      },
    });
  },
};
