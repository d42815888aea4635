import type { QueueSpec } from '../platform/jobs.ts';
/** action_id / callback_id strings of the demo lifecycle (save, resume, lease, hand-over, fleet). */
export const LifecycleIds = {
  save: 'demos.save',
  /** Save, with "stop the VM" chosen: its own id, since Save sits in the same actions block. */
  saveAndStop: 'demos.save_and_stop',
  saveView: 'demos.save_view',
  saveTitleBlock: 'demos.save_title_block',
  saveTitle: 'demos.save_title',
  saveDescriptionBlock: 'demos.save_description_block',
  saveDescription: 'demos.save_description',
  saveAfterBlock: 'demos.save_after_block',
  saveAfter: 'demos.save_after',
  extend: 'demos.extend',
  stopNow: 'demos.stop_now',
  resume: 'demos.resume',
  deleteImage: 'demos.delete_image',
  keepDemo: 'demos.keep_demo',
  keepImage: 'demos.keep_image',
  transfer: 'demos.transfer',
  transferView: 'demos.transfer_view',
  transferUserBlock: 'demos.transfer_user_block',
  transferUser: 'demos.transfer_user',
  forceStop: 'demos.force_stop',
  pause: 'demos.pause',
} as const;

export const LifecycleJobs = {
  save: 'demo-save',
  deleteImage: 'image-delete',
} as const;

export const LifecycleQueues: Readonly<Record<string, QueueSpec>> = {
  [LifecycleJobs.save]: { retryLimit: 6, expireInSeconds: 3900 },
  [LifecycleJobs.deleteImage]: { retryLimit: 5, expireInSeconds: 1800 },
};

/** Message metadata event types: each nudge / warning is posted once. */
export const NUDGE_EVENT = 'demo_vm_expiry_nudge';
export const RETENTION_EVENT = 'demo_vm_retention_warning';
