import type { Capability } from '../capability.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import { refreshMachineTypes } from './service.ts';

/** Machine types change rarely; a daily read keeps vCPUs and memory current for the launch modal. */
const REFRESH_HOURS = 24;

/** The worker fills the machine-types table from GCE; the web role reads it (demos' launch modal). */
export const machineTypesCapability: Capability = {
  name: 'machine-types',
  worker({ ctx, scheduler }) {
    scheduler.add(oncePerPeriod(ctx, { name: 'machine-types-refresh', cron: '17 4 * * *', periodMinutes: REFRESH_HOURS * 60 }, () => refreshMachineTypes(ctx)));
  },
  async afterStart(ctx) {
    await refreshMachineTypes(ctx);
  },
};
