import type { QueueSpec } from '../platform/jobs.ts';

/** action_id / callback_id strings of exports, one place so listeners and views agree. */
export const ExportIds = {
  /** The Export button (image detail, App Home): value = image id. */
  open: 'exports.open',
  modal: 'exports.modal',
  formatBlock: 'exports.format_block',
  format: 'exports.format',
  bucketBlock: 'exports.bucket_block',
  bucket: 'exports.bucket',
  prefixBlock: 'exports.prefix_block',
  prefix: 'exports.prefix',
  cancel: 'exports.cancel',
  /** A link button (the signed download URL): Slack still sends the click, which is only acked. */
  download: 'exports.download',
} as const;

export const ExportJobs = {
  run: 'export-run',
} as const;

/**
 * A build is waited on by short polls queued one after another (see jobs.ts); each holds a worker
 * slot for a pause, so the queue gets a few more slots than the default.
 */
export const ExportQueues: Readonly<Record<string, QueueSpec>> = {
  [ExportJobs.run]: { retryLimit: 5, expireInSeconds: 3600, concurrency: 8 },
};

/** Message metadata event type: finds an export's status DM again after a crash. */
export const EXPORT_STATUS_EVENT = 'demo_vm_export_status';
