import type { WorkerRegistration } from '../capability.ts';
import type { WorkerContext } from '../context.ts';
import { failureMessage, newErrorId, UserError } from '../errors.ts';
import type { JobHandler } from '../platform/jobs.ts';
import { oncePerPeriod } from '../platform/scheduler.ts';
import { replyWhereAsked } from '../platform/slack-messages.ts';
import { CatalogJobs } from './ids.ts';
import { publish, syncCatalog, type PublishJob } from './service.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';

/** The worker side of the catalog: following GCE's labelled machine images, and publishing. */
export async function workCatalog({ ctx, scheduler }: WorkerRegistration): Promise<void> {
  await ctx.jobs.work<PublishJob>(CatalogJobs.publish, (data, job) => publishJob(ctx, data, job));
  const minutes = ctx.config.gce.catalogSyncMinutes;
  scheduler.add(
    oncePerPeriod(ctx, { name: 'catalog-sync', cron: `*/${Math.min(minutes, 59)} * * * *`, periodMinutes: minutes }, async () => {
      const result = await syncCatalog(ctx);
      ctx.log.info(result, 'catalog synced with GCE');
    }),
  );
}

/** Publish, then answer the admin where they asked: done, what to fix, or (last attempt) an apology. */
async function publishJob(ctx: WorkerContext, data: PublishJob, job: Parameters<JobHandler<PublishJob>>[1]): Promise<void> {
  let text: string;
  try {
    const image = await publish(ctx, data.actorId, data.gceName);
    text = `:white_check_mark: *${escapeMrkdwn(image.title)}* (\`${image.gceName}\`) is now in everyone's catalog.`;
  } catch (err) {
    if (!(err instanceof UserError)) {
      if (!job.final) throw err; // GCE or the database may answer on the next attempt
      const errorId = newErrorId();
      job.log.error({ err, errorId }, 'publishing a machine image failed');
      text = failureMessage(err, errorId);
    } else {
      text = err.message;
    }
  }
  await replyWhereAsked(ctx.poster, { responseUrl: data.responseUrl, userId: data.actorId }, { text });
}
