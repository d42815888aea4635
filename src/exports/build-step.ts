/**
 * Starting the export build exactly once. Cloud Build has no request id, so the step is claimed in
 * `steps` before the call and the build (id, operation) recorded right after it; a job that finds the
 * claim without a record looks for its build (our tags, our destination, created after the export)
 * before it would ever start another one.
 */
import type { AppContext } from '../context.ts';
import { retryTransient } from '../platform/compute/retry.ts';
import { GcpError } from '../platform/compute/port.ts';
import { crashPoint } from '../platform/crash.ts';
import type { BuildInfo, BuildRef, BuildRequest, CloudBuild, ExportStorage } from './ports.ts';
import { buildLocation, daisyBucketName, EXPORT_TAGS, exportBuildRequest } from './gcloud.ts';
import { exportRequestId } from './steps.ts';
import * as store from './store.ts';
import type { Export } from './store.ts';

const STEP = 'build';
/** A claim younger than this with no build found may be another worker's call still in flight. */
const CLAIM_GRACE_MS = 30_000;

export class ExportFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportFailure';
  }
}

function refFrom(project: string, where: string | null, buildId: string): BuildRef {
  return { project, id: buildId, ...(where && where !== 'global' ? { location: where } : {}) };
}

/** The build of this export, if it was started (after a crash, found by tags and destination). */
async function findOurBuild(cb: CloudBuild, exp: Export, project: string, location: string | undefined): Promise<BuildInfo | undefined> {
  const builds = await retryTransient(() => cb.listByTags(project, location, EXPORT_TAGS));
  const since = exp.createdAt.getTime() - 60_000; // clock skew between us and Cloud Build
  return builds.find((b) => b.args.includes(`-destination_uri=${exp.destinationUri}`) && (!b.createTime || b.createTime.getTime() >= since));
}

async function record(ctx: AppContext, exp: Export, where: string, operationName: string, build: BuildInfo): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await store.recordOperation(trx, exp.id, STEP, exportRequestId(exp.id, STEP), operationName, where, now);
    await trx
      .updateTable('exports')
      .set({ build_id: build.id, log_url: build.logUrl ?? null, updated_at: now })
      .where('id', '=', exp.id)
      .execute();
  });
}

/** What gcloud does before it starts the build: find the destination's location, make the scratch bucket. */
async function gcloudRequest(ctx: AppContext, storage: ExportStorage, exp: Export): Promise<BuildRequest> {
  const project = ctx.config.gce.project;
  const bucket = /^gs:\/\/([^/]+)\//.exec(exp.destinationUri)?.[1] ?? '';
  const location = await retryTransient(() => storage.bucketLocation(bucket));
  if (location === null)
    throw new ExportFailure(`The bucket \`gs://${bucket}\` does not exist (or the app may not read it). An admin needs to create it or fix EXPORT_BUCKETS.`);
  const scratchBucket = daisyBucketName(project, location);
  await retryTransient(() => storage.ensureBucket(scratchBucket, location));
  return exportBuildRequest({
    project,
    zone: exp.zone,
    sourceImage: `projects/${project}/global/images/${exp.tempImage}`,
    destinationUri: exp.destinationUri,
    format: exp.format,
    scratchBucket,
  });
}

/** Start the build (or find the one started before); returns where it is. */
export async function ensureBuild(ctx: AppContext, deps: { build: CloudBuild; storage: ExportStorage }, exp: Export): Promise<BuildRef> {
  const project = ctx.config.gce.project;
  const recorded = await store.getStep(ctx.db, exp.id, STEP);
  if (recorded?.operationName && exp.buildId) return refFrom(project, recorded.zone, exp.buildId);
  const location = buildLocation(exp.zone);
  const where = location ?? 'global';

  if (recorded) {
    // Claimed, never recorded: a crash right after the call, or another worker making it now.
    const found = await findOurBuild(deps.build, exp, project, location);
    if (found) {
      await record(ctx, exp, where, `recovered:${found.id}`, found);
      return refFrom(project, where, found.id);
    }
    if (ctx.clock.now().getTime() - recorded.createdAt.getTime() < CLAIM_GRACE_MS) {
      throw new GcpError('unavailable', 'The export build is being started by another worker; looking again shortly.');
    }
  }
  const request = await gcloudRequest(ctx, deps.storage, exp);
  if (!recorded && !(await store.claimStep(ctx.db, exp.id, STEP, exportRequestId(exp.id, STEP), ctx.clock.now()))) {
    throw new GcpError('unavailable', 'The export build is being started by another worker; looking again shortly.');
  }
  // Not retried here: a call that failed after Cloud Build took it would start a second build. The
  // job's own retry comes back through the search above instead.
  let created: Awaited<ReturnType<CloudBuild['create']>>;
  try {
    created = await deps.build.create(project, location, request);
  } catch (err) {
    // Cloud Build answered with an error, so it started nothing: the next try may call again at once.
    // (A call that got no answer at all keeps its claim and is searched for first.)
    if (err instanceof GcpError && err.httpStatus !== undefined) await store.releaseClaim(ctx.db, exp.id, STEP);
    throw err;
  }
  crashPoint('export.build.sent');
  await record(ctx, exp, where, created.operationName, created.build);
  crashPoint('export.build.recorded');
  return refFrom(project, where, created.build.id);
}
