import type { QueueSpec } from '../platform/jobs.ts';

/** action_id / callback_id strings of comments; `comment` and `showMore` carry the image id as value. */
export const CommentIds = {
  comment: 'comments.comment',
  commentView: 'comments.comment_view',
  bodyBlock: 'comments.body_block',
  body: 'comments.body',
  showMore: 'comments.show_more',
  listView: 'comments.list',
} as const;

export const CommentJobs = {
  /** Post a comment written in the app into its image's thread (once). */
  post: 'comment-post',
  /** Create an image's catalog thread (when it is shared or published). */
  thread: 'image-thread',
  /** Tell an image's owner about its new comments: one job per image waits out the batch window. */
  ownerDm: 'comment-owner-dm',
} as const;

/** Retries come back after a claim on the thread is released or goes stale (service.ensureThread). */
export const CommentQueues: Readonly<Record<string, QueueSpec>> = {
  [CommentJobs.post]: { retryLimit: 8, retryDelaySeconds: 2, expireInSeconds: 300 },
  [CommentJobs.thread]: { retryLimit: 8, retryDelaySeconds: 2, expireInSeconds: 300 },
  [CommentJobs.ownerDm]: { retryLimit: 8, retryDelaySeconds: 5, expireInSeconds: 300, policy: 'short' },
};

/** Message metadata event types: a thread parent per image, a reply per comment, each posted once. */
export const IMAGE_THREAD_EVENT = 'demo_vm_image_thread';
export const COMMENT_EVENT = 'demo_vm_comment';
/** The owner's DM about a batch of new comments (keyed by its job id: posted once). */
export const COMMENT_DM_EVENT = 'demo_vm_comment_dm';
