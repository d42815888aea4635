import type { Capability } from '../capability.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import { refreshUsergroup, USERGROUP_CACHE_MS } from './approvers.ts';
import { SharingJobs, SharingQueues } from './ids.ts';
import { decidedJob, postRequestJob, threadReplyJob } from './jobs.ts';
import { expireOld, withdrawOnHandover } from './service.ts';
import { registerSharingListeners } from './slack.ts';

/** Sharing with an approver's decision in a thread of the approvals channel. */
export const sharingCapability: Capability = {
  name: 'sharing',
  queues: SharingQueues,
  subscribe(ctx) {
    ctx.events.on('image-handed-over', (e) => withdrawOnHandover(ctx, e));
  },
  web: registerSharingListeners,
  async worker({ ctx, scheduler }) {
    await ctx.jobs.work<{ requestId: string }>(SharingJobs.post, (data) => postRequestJob(ctx, data));
    await ctx.jobs.work<{ requestId: string }>(SharingJobs.decided, (data) => decidedJob(ctx, data));
    await ctx.jobs.work<Parameters<typeof threadReplyJob>[1]>(SharingJobs.threadReply, (data) => threadReplyJob(ctx, data));
    scheduler.add(
      oncePerPeriod(ctx, { name: 'share-request-expiry', cron: '7 * * * *', periodMinutes: 60 }, async (now) => {
        const expired = await expireOld(ctx, now);
        if (expired) ctx.log.info({ expired }, 'share requests expired');
      }),
    );
    const minutes = USERGROUP_CACHE_MS / 60_000;
    scheduler.add(
      oncePerPeriod(ctx, { name: 'approver-usergroup', cron: `*/${minutes} * * * *`, periodMinutes: minutes }, () => refreshUsergroup(ctx, { force: true })),
    );
  },
  async afterStart(ctx) {
    await refreshUsergroup(ctx);
  },
};
