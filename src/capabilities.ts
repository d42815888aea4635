import type { CommandRouter } from './commands.ts';
import type { AppContext } from './context.ts';
import type { SlackListeners } from './platform/listener-router.ts';
import type { Scheduler } from './platform/scheduler.ts';
import { accountingCapability } from './accounting/index.ts';
import { auditCapability } from './audit/index.ts';
import { budgetsCapability } from './budgets/index.ts';
import { catalogCapability } from './catalog/index.ts';
import { commentsCapability } from './comments/index.ts';
import { demosCapability } from './demos/index.ts';
import { exportsCapability } from './exports/index.ts';
import { homeCapability } from './home/index.ts';
import { sharingCapability } from './sharing/index.ts';

/** What a capability gets to plug itself in: listeners, subcommands, jobs, schedules. */
export interface Registration {
  ctx: AppContext;
  /** Where listeners go: Bolt's methods, routed by id (platform/listener-router.ts). */
  bolt: SlackListeners;
  router: CommandRouter;
  scheduler: Scheduler;
}

export interface Capability {
  name: string;
  register(r: Registration): Promise<void> | void;
  /** Runs once the app serves requests (e.g. a first catalog sync); failures are logged, not fatal. */
  afterStart?(ctx: AppContext): Promise<void>;
}

/** Every capability, in the order their subcommands appear in help. */
export const capabilities: Capability[] = [catalogCapability, demosCapability, sharingCapability, commentsCapability, homeCapability, accountingCapability, auditCapability, budgetsCapability, exportsCapability];
