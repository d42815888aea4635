import type { Capability } from '../capability.ts';
import type { WorkerContext } from '../context.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import { refreshMachineTypes } from './service.ts';
import { staleZones } from './store.ts';

/** Machine types change rarely; a daily read keeps vCPUs and memory current for the launch modal. */
const REFRESH_HOURS = 24;

/** The worker fills the machine-types table from GCE; the web role reads it (demos' launch modal). */
export const machineTypesCapability: Capability = {
  name: 'machine-types',
  worker({ ctx, scheduler }) {
    scheduler.add(oncePerPeriod(ctx, { name: 'machine-types-refresh', cron: '17 4 * * *', periodMinutes: REFRESH_HOURS * 60 }, () => refreshAndTell(ctx)));
  },
  // A worker (re)start reads GCE only when a zone's list is missing or older than a day.
  async afterStart(ctx) {
    const since = new Date(ctx.clock.now().getTime() - REFRESH_HOURS * 3600_000);
    if ((await staleZones(ctx.db, ctx.config.gce.project, ctx.config.gce.zones, since)).length) await refreshAndTell(ctx);
  },
};

/** Read the sizes, then say so: sizes decide prices (vCPUs × core + GiB × RAM), which prices re-computes. */
async function refreshAndTell(ctx: WorkerContext): Promise<void> {
  await refreshMachineTypes(ctx);
  await ctx.events.emit('machine-types-refreshed', { project: ctx.config.gce.project });
}
