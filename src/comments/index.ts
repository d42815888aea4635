import type { Capability } from '../capability.ts';
import { CommentJobs, CommentQueues } from './ids.ts';
import { ownerDmJob, postCommentJob, threadJob } from './jobs.ts';
import { registerCommentListeners } from './slack.ts';

/** Threaded comments on catalog images: the app's Comment modal and replies typed in Slack. */
export const commentsCapability: Capability = {
  name: 'comments',
  queues: CommentQueues,
  // A published image gets its thread at once, sent in the transaction that published it.
  subscribe(ctx) {
    ctx.events.on('image-published', async ({ imageId, trx }) => {
      await ctx.jobs.send(CommentJobs.thread, { imageId }, { trx });
    });
  },
  web: registerCommentListeners,
  async worker({ ctx }) {
    await ctx.jobs.work<{ commentId: string }>(CommentJobs.post, (data) => postCommentJob(ctx, data));
    await ctx.jobs.work<{ imageId: string }>(CommentJobs.thread, (data) => threadJob(ctx, data));
    await ctx.jobs.work<{ imageId: string }>(CommentJobs.ownerDm, (data, job) => ownerDmJob(ctx, data, job.id));
  },
};
