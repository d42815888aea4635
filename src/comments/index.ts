import type { Capability } from '../capabilities.ts';
import { CommentJobs } from './ids.ts';
import { postCommentJob, threadJob } from './jobs.ts';
import { registerCommentListeners } from './slack.ts';

/** Threaded comments on catalog images: the app's Comment modal and replies typed in Slack. */
export const commentsCapability: Capability = {
  name: 'comments',
  async register(r) {
    const { ctx } = r;
    // Retries come back after a claim on the thread is released or goes stale (service.ensureThread).
    await ctx.jobs.register<{ commentId: string }>(CommentJobs.post, { retryLimit: 8, retryDelaySeconds: 2, expireInSeconds: 300 }, (data) => postCommentJob(ctx, data));
    await ctx.jobs.register<{ imageId: string }>(CommentJobs.thread, { retryLimit: 8, retryDelaySeconds: 2, expireInSeconds: 300 }, (data) => threadJob(ctx, data));
    registerCommentListeners(r);
  },
};
