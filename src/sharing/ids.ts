import type { QueueSpec } from '../platform/jobs.ts';

/**
 * action_id / callback_id strings of sharing. `share` (value: image id) is the button any surface
 * (image detail, App Home) shows on an image its owner may share; it opens the request modal.
 */
export const SharingIds = {
  share: 'sharing.share',
  unshare: 'sharing.unshare',
  withdraw: 'sharing.withdraw',
  requestView: 'sharing.request_view',
  noteBlock: 'sharing.note_block',
  note: 'sharing.note',
  approve: 'sharing.approve',
  deny: 'sharing.deny',
  denyView: 'sharing.deny_view',
  reasonBlock: 'sharing.reason_block',
  reason: 'sharing.reason',
} as const;

export const SharingJobs = {
  /** Post the request message into the approvals channel (once). */
  post: 'share-request-post',
  /** After a decision (or withdrawal, expiry): update the request message, tell the requester. */
  decided: 'share-request-decided',
  /** Someone other than the requester wrote in a request's thread: DM the requester. */
  threadReply: 'share-thread-reply-dm',
} as const;

export const SharingQueues: Readonly<Record<string, QueueSpec>> = {
  [SharingJobs.post]: { retryLimit: 8, expireInSeconds: 300 },
  [SharingJobs.decided]: { retryLimit: 8, expireInSeconds: 300 },
  [SharingJobs.threadReply]: { retryLimit: 8, expireInSeconds: 300 },
};

/** Message metadata event types: each of these messages is posted exactly once. */
export const SHARE_REQUEST_EVENT = 'demo_vm_share_request';
export const SHARE_DECISION_EVENT = 'demo_vm_share_decision';
/** The requester's DM about one reply in their request's thread (keyed by that reply). */
export const SHARE_THREAD_EVENT = 'demo_vm_share_thread_reply';
