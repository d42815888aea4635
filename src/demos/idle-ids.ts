import type { QueueSpec } from '../platform/jobs.ts';

/** action_id strings, job queues and message metadata of idle suspension (#26). */
export const IdleIds = {
  /** On the idle warning: postpone the suspend by one idle period. */
  keepRunning: 'demos.keep_running',
  /** On the suspended DM, the status DM and Home: resume the suspended VM. */
  resume: 'demos.resume_suspended',
} as const;

export const IdleJobs = {
  suspend: 'demo-suspend',
  resume: 'demo-resume',
} as const;

export const IdleQueues: Readonly<Record<string, QueueSpec>> = {
  [IdleJobs.suspend]: { retryLimit: 5, expireInSeconds: 1800, concurrency: 10 },
  [IdleJobs.resume]: { retryLimit: 5, expireInSeconds: 1800, concurrency: 10 },
};

/** Message metadata event type of the idle warning (one per idle period). */
export const IDLE_EVENT = 'demo_vm_idle_warning';
