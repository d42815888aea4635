import type { Capability } from '../capability.ts';
import { claimPeriod, slotKey } from '../platform/scheduler.ts';
import { refreshUsergroup, USERGROUP_CACHE_MS } from './approvers.ts';
import { SharingJobs, SharingQueues } from './ids.ts';
import { decidedJob, postRequestJob } from './jobs.ts';
import { expireOld } from './service.ts';
import { registerSharingListeners } from './slack.ts';

/** Sharing with an approver's decision in a thread of the approvals channel. */
export const sharingCapability: Capability = {
  name: 'sharing',
  queues: SharingQueues,
  web: registerSharingListeners,
  async worker({ ctx, scheduler }) {
    await ctx.jobs.work<{ requestId: string }>(SharingJobs.post, (data) => postRequestJob(ctx, data));
    await ctx.jobs.work<{ requestId: string }>(SharingJobs.decided, (data) => decidedJob(ctx, data));
    scheduler.add({
      name: 'share-request-expiry',
      cron: '7 * * * *',
      tick: async (now) => {
        if (!(await claimPeriod(ctx.db, 'share-request-expiry', slotKey(now, 60), ctx.instanceId, now))) return;
        const expired = await expireOld(ctx, now);
        if (expired) ctx.log.info({ expired }, 'share requests expired');
      },
    });
    const minutes = USERGROUP_CACHE_MS / 60_000;
    scheduler.add({
      name: 'approver-usergroup',
      cron: `*/${minutes} * * * *`,
      tick: async (now) => {
        if (!(await claimPeriod(ctx.db, 'approver-usergroup', slotKey(now, minutes), ctx.instanceId, now))) return;
        await refreshUsergroup(ctx, { force: true });
      },
    });
  },
  async afterStart(ctx) {
    await refreshUsergroup(ctx);
  },
};
