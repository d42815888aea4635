import type { Capability } from '../capability.ts';
import type { WorkerContext } from '../context.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import { repriceMachineTypes } from '../prices/service.ts';
import { refreshMachineTypes } from './service.ts';
import { staleZones } from './store.ts';

/** Machine types change rarely; a daily read keeps vCPUs and memory current for the launch modal. */
const REFRESH_HOURS = 24;

/** The worker fills the machine-types table from GCE; the web role reads it (demos' launch modal). */
export const machineTypesCapability: Capability = {
  name: 'machine-types',
  worker({ ctx, scheduler }) {
    scheduler.add(oncePerPeriod(ctx, { name: 'machine-types-refresh', cron: '17 4 * * *', periodMinutes: REFRESH_HOURS * 60 }, () => refreshAndReprice(ctx)));
  },
  // A worker (re)start reads GCE only when a zone's list is missing or older than a day.
  async afterStart(ctx) {
    const since = new Date(ctx.clock.now().getTime() - REFRESH_HOURS * 3600_000);
    if ((await staleZones(ctx.db, ctx.config.gce.project, ctx.config.gce.zones, since)).length) await refreshAndReprice(ctx);
  },
};

/** Sizes decide prices (vCPUs × core + GiB × RAM): new sizes, new machine prices. */
export async function refreshAndReprice(ctx: WorkerContext): Promise<void> {
  await refreshMachineTypes(ctx);
  await repriceMachineTypes(ctx);
}
