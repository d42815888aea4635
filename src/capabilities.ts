import type { App } from '@slack/bolt';
import type { CommandRouter } from './commands.ts';
import type { AppContext } from './context.ts';
import type { Scheduler } from './platform/scheduler.ts';

/** What a capability gets to plug itself in: listeners, subcommands, jobs, schedules. */
export interface Registration {
  ctx: AppContext;
  bolt: App;
  router: CommandRouter;
  scheduler: Scheduler;
}

export interface Capability {
  name: string;
  register(r: Registration): Promise<void> | void;
}

/** Every capability, in the order their subcommands appear in help. */
export const capabilities: Capability[] = [];
