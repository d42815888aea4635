import type { QueueSpec } from '../platform/jobs.ts';

export const DemoIds = {
  launchView: 'demos.launch',
  launchChoiceView: 'demos.launch_choice',
  zoneBlock: 'demos.zone_block',
  zone: 'demos.zone',
  machineTypeBlock: 'demos.machine_type_block',
  machineType: 'demos.machine_type',
  ttlBlock: 'demos.ttl_block',
  ttl: 'demos.ttl',
  estimateBlock: 'demos.estimate_block',
  /** "Ready by" (a datetimepicker): now launches at once, a later time books the demo. */
  readyByBlock: 'demos.ready_by_block',
  readyBy: 'demos.ready_by',
  cancelBooking: 'demos.cancel_booking',
  stop: 'demos.stop',
  start: 'demos.start',
  delete: 'demos.delete',
  retryZone: 'demos.retry_zone',
  openLink: 'demos.open_link',
  /** The message shortcut "Launch this demo" (manifests/slack-app.yml declares this callback_id). */
  launchShortcut: 'demo_launch_from_message',
} as const;

/** Job queue names. */
export const DemoJobs = {
  launch: 'demo-launch',
  power: 'demo-power',
  probe: 'demo-probe',
  relabel: 'demo-relabel',
  /** The warm pool: make one pool VM ready (clone, boot, suspend); delete one; top every pool up. */
  poolWarm: 'pool-warm',
  poolRetire: 'pool-retire',
  poolRefill: 'pool-refill',
} as const;

/** Launches and power changes mostly wait on GCE: many at once per worker. */
export const DemoQueues: Readonly<Record<string, QueueSpec>> = {
  [DemoJobs.launch]: { retryLimit: 5, expireInSeconds: 1800, concurrency: 10 },
  [DemoJobs.power]: { retryLimit: 5, expireInSeconds: 1800, concurrency: 10 },
  [DemoJobs.probe]: { retryLimit: 1, expireInSeconds: 900 },
  [DemoJobs.relabel]: { retryLimit: 8, expireInSeconds: 900 },
  [DemoJobs.poolWarm]: { retryLimit: 5, expireInSeconds: 1800, concurrency: 5 },
  [DemoJobs.poolRetire]: { retryLimit: 8, expireInSeconds: 900, concurrency: 5 },
  [DemoJobs.poolRefill]: { retryLimit: 3, expireInSeconds: 300, policy: 'short' },
};

/** Message metadata event type: finds a demo's status DM again after a crash. */
export const STATUS_EVENT = 'demo_vm_demo_status';
