/**
 * The export job: machine image → temporary VM (stopped) → image of its boot disk → Cloud Build runs
 * Google's export tool → size, signed link, clean-up. Every step is recorded, so a restart resumes
 * where it stopped. While the build runs no handler waits on it: each run polls once, pauses briefly
 * and queues the next poll, so a shutdown or restart never waits on a two-hour build.
 */
import type { WorkerContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import { retryTransient } from '../platform/compute/retry.ts';
import { GcpError } from '../platform/compute/port.ts';
import { ensureBuild, ExportFailure } from './build-step.ts';
import { type BuildInfo, type BuildRef, type CloudBuild, type ExportStorage, FINAL_BUILD_STATUSES } from './ports.ts';
import { ExportJobs } from './ids.ts';
import { stepJobId, tempLabels } from './service.ts';
import { syncStatus } from './status.ts';
import { alreadyThere, cleanupTemporaries, runGceStep } from './steps.ts';
import * as store from './store.ts';
import type { Export, ExportProgress } from './store.ts';
import { metrics } from '../platform/metrics.ts';

export interface ExportDeps {
  build: CloudBuild;
  storage: ExportStorage;
}

export interface ExportJobData {
  exportId: string;
  /** Which poll of the build this run is (0 for the first run). */
  poll?: number;
}

type Attempt = { final: boolean };

/** The export changed course under us (cancelled, or ended by another run). */
class Halt extends Error {}

const ORDER: ExportProgress[] = [
  'queued',
  'creating_instance',
  'stopping_instance',
  'creating_image',
  'starting_build',
  'build_queued',
  'build_working',
  'finishing',
];

/** Move forward to `progress` (never back), unless the export was cancelled or ended meanwhile. */
async function advance(ctx: WorkerContext, exp: Export, progress: ExportProgress): Promise<Export> {
  const current = await store.getExport(ctx.db, exp.id);
  if (!current || current.progress === 'cancelling' || (current.state !== 'queued' && current.state !== 'running')) throw new Halt();
  if (ORDER.indexOf(current.progress) >= ORDER.indexOf(progress) && current.state === 'running') return current;
  const moved = await store.transition(
    ctx.db,
    exp.id,
    { state: ['queued', 'running'], progress: current.progress },
    { state: 'running', progress },
    ctx.clock.now(),
  );
  if (!moved) throw new Halt();
  await syncStatus(ctx, exp.id);
  return { ...current, state: 'running', progress };
}

async function bootDiskOf(ctx: WorkerContext, exp: Export): Promise<string> {
  const instance = await retryTransient(() => ctx.compute.getInstance(exp.zone, exp.tempInstance));
  if (!instance) throw new ExportFailure(`The temporary VM \`${exp.tempInstance}\` disappeared before its disk was imaged.`);
  if (instance.status !== 'TERMINATED' && instance.status !== 'STOPPED') throw new GcpError('unavailable', `The temporary VM is still ${instance.status}.`);
  if (!instance.bootDisk) throw new ExportFailure(`The temporary VM \`${exp.tempInstance}\` has no boot disk to export.`);
  return instance.bootDisk;
}

/** The GCE steps, each skipped when already done. */
async function prepareImage(ctx: WorkerContext, exp: Export): Promise<Export> {
  const image = await catalog.getImage(ctx.db, exp.imageId);
  if (!image) throw new ExportFailure('Its image was removed from the catalog before the export started.');
  let e = await advance(ctx, exp, 'creating_instance');
  const labels = tempLabels(e.id);
  await runGceStep(
    ctx,
    e.id,
    'insert-instance',
    (rid) =>
      ctx.compute.insertInstance({
        name: e.tempInstance,
        zone: e.zone,
        sourceMachineImage: `projects/${image.project}/global/machineImages/${image.gceName}`,
        labels,
        requestId: rid,
      }),
    { okWhen: alreadyThere },
  );
  e = await advance(ctx, e, 'stopping_instance');
  await runGceStep(ctx, e.id, 'stop-instance', (rid) => ctx.compute.stopInstance(e.zone, e.tempInstance, rid));
  const sourceDisk = await bootDiskOf(ctx, e);
  e = await advance(ctx, e, 'creating_image');
  await runGceStep(
    ctx,
    e.id,
    'insert-image',
    (rid) => ctx.compute.insertImage({ name: e.tempImage, sourceDisk, labels, description: `demo-vm export ${e.id}`, requestId: rid }),
    {
      okWhen: alreadyThere,
    },
  );
  return advance(ctx, e, 'starting_build');
}

/** A shutdown waits this long at most for a running handler (JobQueue.stop), so a pause stays below it. */
const MAX_PAUSE_MS = 15_000;

/**
 * Pause, then queue the next poll to run at once. (A job delayed with startAfter would wake no worker:
 * with LISTEN/NOTIFY on, pg-boss looks for due jobs only every 30 s.) The deterministic job id makes a
 * retried run queue the same next poll, not a second chain.
 */
async function scheduleNextPoll(ctx: WorkerContext, exportId: string, poll: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.min(ctx.config.exports.pollMs, MAX_PAUSE_MS)));
  await ctx.jobs.send(ExportJobs.run, { exportId, poll }, { id: stepJobId(exportId, `poll-${poll}`) });
}

function buildFailure(info: BuildInfo): string {
  const why = info.detail ? `: ${info.detail}` : '.';
  if (info.status === 'TIMEOUT') return `The export build ran out of time (2 hours)${why}`;
  if (info.status === 'CANCELLED') return 'The export build was cancelled in Cloud Build.';
  return `The export build ended with ${info.status}${why}`;
}

async function finish(ctx: WorkerContext, deps: ExportDeps, exp: Export, info: BuildInfo): Promise<void> {
  await advance(ctx, exp, 'finishing');
  const size = await retryTransient(() => deps.storage.objectSize(exp.destinationUri));
  if (size === null) throw new ExportFailure(`The build said it succeeded, but \`${exp.destinationUri}\` is not there.`);
  // The file is there either way: a link that cannot be signed (no signBlob right) is logged, not fatal.
  const signed = await retryTransient(() => deps.storage.signedUrl(exp.destinationUri, ctx.config.exports.signedUrlDays)).catch((err: unknown) => {
    ctx.log.warn({ err, exportId: exp.id }, 'could not sign a download link for an export');
    return null;
  });
  await cleanupTemporaries(ctx, exp);
  const now = ctx.clock.now();
  const done = await store.transition(
    ctx.db,
    exp.id,
    { state: 'running', notProgress: 'cancelling' },
    {
      state: 'done',
      progress: 'done',
      size_bytes: size,
      ...(signed ? { signed_url: signed.url, signed_url_expires_at: signed.expiresAt } : {}),
      log_url: info.logUrl ?? exp.logUrl,
      finished_at: now,
    },
    now,
  );
  if (!done) throw new Halt();
  metrics.exports.inc({ outcome: 'done', reason: '' });
  await syncStatus(ctx, exp.id, { required: true });
}

async function runExport(ctx: WorkerContext, deps: ExportDeps, exp: Export, poll: number): Promise<void> {
  let e = exp;
  if (!e.buildId) e = await prepareImage(ctx, e);
  const ref: BuildRef = await ensureBuild(ctx, deps, e);
  const info = await retryTransient(() => deps.build.get(ref));
  if (!FINAL_BUILD_STATUSES.has(info.status)) {
    await advance(ctx, e, info.status === 'WORKING' ? 'build_working' : 'build_queued');
    return scheduleNextPoll(ctx, e.id, poll + 1);
  }
  if (info.status !== 'SUCCESS') throw new ExportFailure(buildFailure(info));
  await finish(ctx, deps, (await store.getExport(ctx.db, e.id))!, info);
}

/** Stop the build if there is one; best effort when it already ended. */
async function stopBuild(ctx: WorkerContext, deps: ExportDeps, exp: Export): Promise<void> {
  const recorded = await store.getStep(ctx.db, exp.id, 'build');
  const current = await store.getExport(ctx.db, exp.id);
  if (!recorded?.operationName || !current?.buildId) return;
  const ref: BuildRef = {
    project: ctx.config.gce.project,
    id: current.buildId,
    ...(recorded.zone && recorded.zone !== 'global' ? { location: recorded.zone } : {}),
  };
  const info = await retryTransient(() => deps.build.get(ref));
  if (!FINAL_BUILD_STATUSES.has(info.status)) await retryTransient(() => deps.build.cancel(ref));
}

/** Clean up; on the last attempt a clean-up that keeps failing is logged (the reconciler reports leftovers). */
async function cleanUp(ctx: WorkerContext, exp: Export, attempt: Attempt): Promise<void> {
  try {
    await cleanupTemporaries(ctx, exp);
  } catch (err) {
    if (!attempt.final) throw err;
    ctx.log.error({ err, exportId: exp.id, instance: exp.tempInstance, image: exp.tempImage }, 'could not remove the temporaries of an export');
  }
}

async function cancelNow(ctx: WorkerContext, deps: ExportDeps, exp: Export, attempt: Attempt): Promise<void> {
  await stopBuild(ctx, deps, exp);
  await cleanUp(ctx, exp, attempt);
  const now = ctx.clock.now();
  if (await store.transition(ctx.db, exp.id, { state: ['queued', 'running'], progress: 'cancelling' }, { state: 'cancelled', finished_at: now }, now)) {
    metrics.exports.inc({ outcome: 'cancelled', reason: '' });
  }
  await syncStatus(ctx, exp.id, { required: true });
}

async function failExport(ctx: WorkerContext, deps: ExportDeps, exp: Export, reason: string, attempt: Attempt): Promise<void> {
  const now = ctx.clock.now();
  if (await store.transition(ctx.db, exp.id, { state: ['queued', 'running'] }, { state: 'failed', failure_reason: reason, finished_at: now }, now)) {
    metrics.exports.inc({ outcome: 'failed', reason: 'error' });
  }
  await stopBuild(ctx, deps, exp).catch((err: unknown) => ctx.log.warn({ err, exportId: exp.id }, 'could not stop the build of a failed export'));
  await cleanUp(ctx, exp, attempt);
  await syncStatus(ctx, exp.id, { required: true });
}

/** A failure the user should hear about now (not a passing one worth retrying), in words. */
function knownFailure(err: unknown): string | null {
  if (err instanceof ExportFailure) return err.message;
  if (!(err instanceof GcpError) || err.retryable) return null;
  switch (err.kind) {
    case 'quota':
      return `The project is out of quota for the temporary VM: ${err.message} Stop a demo you no longer need, or ask an admin to raise the quota.`;
    case 'stockout':
      return `The zone has no capacity for the temporary VM right now (${err.reason ?? 'ZONE_RESOURCE_POOL_EXHAUSTED'}). Try again later.`;
    case 'permission':
      return `The app is not allowed to do this (${err.message}). An admin needs to check the service accounts' roles (docs/EXPORT.md).`;
    default:
      return `Google Cloud refused a step of the export: ${err.message}`;
  }
}

export async function exportJob(ctx: WorkerContext, deps: ExportDeps, data: ExportJobData, attempt: Attempt): Promise<void> {
  const exp = await store.getExport(ctx.db, data.exportId);
  if (!exp || exp.state === 'done') return;
  if (exp.state === 'failed' || exp.state === 'cancelled') {
    // An earlier run ended it but could not finish cleaning up (or telling the user).
    await cleanUp(ctx, exp, attempt);
    await syncStatus(ctx, exp.id);
    return;
  }
  try {
    if (exp.progress === 'cancelling') return await cancelNow(ctx, deps, exp, attempt);
    await runExport(ctx, deps, exp, data.poll ?? 0);
  } catch (err) {
    const now = await store.getExport(ctx.db, exp.id);
    if (err instanceof Halt || now?.progress === 'cancelling') {
      if (now?.progress === 'cancelling' && (now.state === 'queued' || now.state === 'running')) return cancelNow(ctx, deps, now, attempt);
      return;
    }
    const reason = knownFailure(err) ?? (attempt.final ? `It kept failing, so I gave up: ${(err as Error).message}` : null);
    if (reason) return failExport(ctx, deps, now ?? exp, reason, attempt);
    throw err;
  }
}
