import type { Capability } from '../capability.ts';
import { claimPeriod, slotKey } from '../platform/scheduler.ts';
import { refreshMachineTypes } from './service.ts';

/** Machine types change rarely; a daily read keeps vCPUs and memory current for the launch modal. */
const REFRESH_HOURS = 24;

/** The worker fills the machine-types table from GCE; the web role reads it (demos' launch modal). */
export const machineTypesCapability: Capability = {
  name: 'machine-types',
  worker({ ctx, scheduler }) {
    scheduler.add({
      name: 'machine-types-refresh',
      cron: '17 4 * * *',
      tick: async (now) => {
        if (!(await claimPeriod(ctx.db, 'machine-types-refresh', slotKey(now, REFRESH_HOURS * 60), ctx.instanceId, now))) return;
        await refreshMachineTypes(ctx);
      },
    });
  },
  async afterStart(ctx) {
    await refreshMachineTypes(ctx);
  },
};
