import type { App } from '@slack/bolt';
import type { CommandRouter } from './commands.ts';
import type { AppContext, WorkerContext } from './context.ts';
import type { QueueSpec } from './platform/jobs.ts';
import type { Scheduler } from './platform/scheduler.ts';

/** What a capability gets in the web role: Bolt's App for listeners, and the /demo router. */
export interface Registration {
  ctx: AppContext;
  bolt: App;
  router: CommandRouter;
}

/** What a capability gets in the worker role: job handlers and schedules, with Google's clients. */
export interface WorkerRegistration {
  ctx: WorkerContext;
  scheduler: Scheduler;
}

/** A capability's parts per role. The list of them (capabilities.ts) is for the composition root only. */
export interface Capability {
  name: string;
  /** The job queues it sends to, declared by every role (a queue must exist before a job is sent). */
  queues?: Readonly<Record<string, QueueSpec>>;
  /** Either role, once per process: what it does when another capability's event comes (ctx.events.on). */
  subscribe?(ctx: AppContext): void;
  /** Web role: listeners and subcommands. */
  web?(r: Registration): Promise<void> | void;
  /** Worker role: job handlers (ctx.jobs.work) and schedules. */
  worker?(r: WorkerRegistration): Promise<void> | void;
  /** Either role: facts for /readyz's details that never make a process unready (e.g. stale prices). */
  readyDetails?(ctx: AppContext): Promise<Record<string, unknown>>;
  /** Worker role, once it takes work (e.g. a first catalog sync); failures are logged, not fatal. */
  afterStart?(ctx: WorkerContext): Promise<void>;
}
