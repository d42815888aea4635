import type { WorkerRegistration } from '../capability.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import { DemoJobs } from './ids.ts';
import { IDLE_TASK, idleCheck } from './idle-check.ts';
import { IdleJobs } from './idle-ids.ts';
import { resumeJob, suspendJob } from './suspend.ts';
import { deleteImageJob } from './images.ts';
import { launchJob, powerJob, probeJob, relabelJob } from './jobs.ts';
import { refillPools, retirePoolVm, warmPoolVm } from './pool.ts';
import { LifecycleJobs } from './lifecycle-ids.ts';
import { RECONCILE_CRON, RECONCILE_TASK, reconcileTick } from './reconciler.ts';
import { sweepRetention } from './retention.ts';
import { saveJob } from './save-jobs.ts';
import type { PowerAction } from './service.ts';
import { sweepLeases } from './ttl.ts';
import { BOOKINGS_TASK, sweepBookings } from './booking.ts';

/** The worker side of demos: the GCE jobs behind launch, power, save and delete, the lifecycle sweeps, the reconcile. */
export async function workDemos({ ctx, scheduler }: WorkerRegistration): Promise<void> {
  await ctx.jobs.work<{ demoId: string }>(DemoJobs.launch, (data, job) => launchJob(ctx, data, job));
  await ctx.jobs.work<{ demoId: string; action: PowerAction; requestId: string }>(DemoJobs.power, (data, job) => powerJob(ctx, data, job));
  await ctx.jobs.work<{ demoId: string }>(DemoJobs.probe, (data) => probeJob(ctx, data));
  await ctx.jobs.work<{ demoId: string }>(DemoJobs.relabel, (data) => relabelJob(ctx, data));
  await ctx.jobs.work<{ saveId: string }>(LifecycleJobs.save, (data, job) => saveJob(ctx, data, job));
  await ctx.jobs.work<{ imageId: string }>(LifecycleJobs.deleteImage, (data, job) => deleteImageJob(ctx, data, job));
  await ctx.jobs.work<{ poolVmId: string }>(DemoJobs.poolWarm, (data, job) => warmPoolVm(ctx, data, job));
  await ctx.jobs.work<{ poolVmId: string }>(DemoJobs.poolRetire, (data, job) => retirePoolVm(ctx, data, job));
  await ctx.jobs.work(DemoJobs.poolRefill, async () => void (await refillPools(ctx)));
  await ctx.jobs.work<{ demoId: string; requestId: string }>(IdleJobs.suspend, (data, job) => suspendJob(ctx, data, job));
  await ctx.jobs.work<{ demoId: string; requestId: string }>(IdleJobs.resume, (data, job) => resumeJob(ctx, data, job));

  scheduler.add({ name: RECONCILE_TASK, cron: RECONCILE_CRON, tick: async (now) => void (await reconcileTick(ctx, now)) });
  scheduler.add(
    oncePerPeriod(ctx, { name: 'demo-leases', cron: '* * * * *', periodMinutes: 1 }, async (now) => {
      const result = await sweepLeases(ctx, now);
      if (result.nudged || result.expired) ctx.log.info(result, 'lease sweep');
    }),
  );
  scheduler.add(
    oncePerPeriod(ctx, { name: IDLE_TASK, cron: '* * * * *', periodMinutes: 1 }, async (now) => {
      const report = await idleCheck(ctx, now);
      if (report.warned || report.cancelled || report.suspended) ctx.log.info(report, 'idle check');
    }),
  );
  scheduler.add(
    oncePerPeriod(ctx, { name: BOOKINGS_TASK, cron: '* * * * *', periodMinutes: 1 }, async (now) => {
      const result = await sweepBookings(ctx, now);
      if (result.started || result.reminded) ctx.log.info(result, 'bookings sweep');
    }),
  );
  scheduler.add(oncePerPeriod(ctx, { name: 'warm-pool', cron: '* * * * *', periodMinutes: 1 }, async (now) => void (await refillPools(ctx, now))));
  scheduler.add(
    oncePerPeriod(ctx, { name: 'demo-retention', cron: '7 * * * *', periodMinutes: 60 }, async (now) => {
      const result = await sweepRetention(ctx, now);
      if (result.warned || result.deleted) ctx.log.info(result, 'retention sweep');
    }),
  );
}
