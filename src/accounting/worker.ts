import type { WorkerRegistration } from '../capability.ts';
import type { WorkerContext } from '../context.ts';
import { DIGEST_SYNC_TASK, DigestTasks } from './digest-tasks.ts';

/** Per running worker (tests run several in one process). */
const digestTasks = new WeakMap<WorkerContext, DigestTasks>();

/** One schedule per digest subscription (the reconcile with GCE is demos'). */
export async function workAccounting({ ctx, scheduler }: WorkerRegistration): Promise<void> {
  const tasks = new DigestTasks({ ctx }, scheduler);
  digestTasks.set(ctx, tasks);
  scheduler.add({ name: DIGEST_SYNC_TASK, cron: '* * * * *', tick: (now) => tasks.sync(now) });
  await tasks.load();
}

/** At start: post any digest whose time passed while the app was down. */
export async function accountingAfterStart(ctx: WorkerContext): Promise<void> {
  await digestTasks.get(ctx)?.sync(ctx.clock.now());
}
