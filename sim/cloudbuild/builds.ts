/**
 * The build model of the fake Cloud Build: QUEUED → WORKING → SUCCESS | FAILURE | … | CANCELLED, and
 * the wire shapes of Build and Operation (Cloud Build v1 REST), with enums as names or numbers.
 */
import { randomUUID } from 'node:crypto';

/** google.devtools.cloudbuild.v1.Build.Status, as the API numbers it. */
export const BUILD_STATUS = {
  STATUS_UNKNOWN: 0,
  PENDING: 10,
  QUEUED: 1,
  WORKING: 2,
  SUCCESS: 3,
  FAILURE: 4,
  INTERNAL_ERROR: 5,
  TIMEOUT: 6,
  CANCELLED: 7,
  EXPIRED: 9,
} as const;

export type BuildStatus = keyof typeof BUILD_STATUS;
export type FinalStatus = 'SUCCESS' | 'FAILURE' | 'INTERNAL_ERROR' | 'TIMEOUT' | 'CANCELLED' | 'EXPIRED';

export const FINAL_STATUSES: ReadonlySet<BuildStatus> = new Set(['SUCCESS', 'FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED', 'EXPIRED']);

/** What a build step looks like in a request (the fake keeps what it was sent). */
export interface BuildStepSpec {
  name?: string;
  args?: string[];
  env?: string[];
}

export interface FakeBuild {
  id: string;
  project: string;
  /** undefined for the global endpoint (projects/P/builds). */
  location?: string;
  operationName: string;
  /** The Build as the client sent it (steps, tags, timeout, logsBucket…). */
  request: Record<string, unknown>;
  status: BuildStatus;
  statusDetail?: string;
  failureInfo?: { type: string; detail: string };
  createTime: Date;
  startTime?: Date;
  finishTime?: Date;
  /** Held builds stay WORKING until the test finishes them. */
  held: boolean;
}

export function newBuild(args: { project: string; location?: string; request: Record<string, unknown>; now: Date; held: boolean }): FakeBuild {
  const id = randomUUID();
  const operationName = args.location
    ? `projects/${args.project}/locations/${args.location}/operations/${randomUUID()}`
    : `operations/build/${args.project}/${Buffer.from(id).toString('base64url')}`;
  return { id, project: args.project, location: args.location, operationName, request: args.request, status: 'QUEUED', createTime: args.now, held: args.held };
}

export function stepsOf(b: FakeBuild): BuildStepSpec[] {
  return Array.isArray(b.request.steps) ? (b.request.steps as BuildStepSpec[]) : [];
}

/** The value of `-name=value` among the first step's args. */
export function stepArg(b: FakeBuild, name: string): string | undefined {
  const prefix = `-${name}=`;
  return stepsOf(b)[0]
    ?.args?.find((a) => a.startsWith(prefix))
    ?.slice(prefix.length);
}

export function tagsOf(b: FakeBuild): string[] {
  return Array.isArray(b.request.tags) ? (b.request.tags as string[]) : [];
}

/** Build.FailureInfo.FailureType numbers. */
const FAILURE_TYPES: Record<string, number> = {
  PUSH_FAILED: 1,
  PUSH_IMAGE_NOT_FOUND: 2,
  PUSH_NOT_AUTHORIZED: 3,
  LOGGING_FAILURE: 4,
  USER_BUILD_STEP: 5,
  FETCH_SOURCE_FAILED: 6,
};

const iso = (d: Date | undefined) => (d ? d.toISOString() : undefined);

export interface WireOptions {
  /** `$alt=json;enum-encoding=int`: the client asked for enum numbers. */
  intEnums: boolean;
  projectNumber: string;
}

/** google.devtools.cloudbuild.v1.Build as JSON. */
export function buildJson(b: FakeBuild, o: WireOptions): Record<string, unknown> {
  const where = b.location ?? 'global';
  const status = o.intEnums ? BUILD_STATUS[b.status] : b.status;
  const logUrl =
    where === 'global'
      ? `https://console.cloud.google.com/cloud-build/builds/${b.id}?project=${o.projectNumber}`
      : `https://console.cloud.google.com/cloud-build/builds;region=${where}/${b.id}?project=${o.projectNumber}`;
  return {
    name: `projects/${o.projectNumber}/locations/${where}/builds/${b.id}`,
    id: b.id,
    projectId: b.project,
    status,
    ...(b.statusDetail ? { statusDetail: b.statusDetail } : {}),
    steps: stepsOf(b),
    timeout: b.request.timeout ?? '600s',
    tags: tagsOf(b),
    createTime: iso(b.createTime),
    ...(b.startTime ? { startTime: iso(b.startTime) } : {}),
    ...(b.finishTime ? { finishTime: iso(b.finishTime) } : {}),
    logsBucket: b.request.logsBucket ?? `gs://${o.projectNumber}.cloudbuild-logs.googleusercontent.com`,
    logUrl,
    options: { logging: o.intEnums ? 1 : 'LEGACY' },
    queueTtl: '3600s',
    ...(b.failureInfo ? { failureInfo: o.intEnums ? { type: FAILURE_TYPES[b.failureInfo.type] ?? 0, detail: b.failureInfo.detail } : b.failureInfo } : {}),
  };
}

/** google.longrunning.Operation for a build: metadata carries the Build; done once it is final. */
export function operationJson(b: FakeBuild, o: WireOptions): Record<string, unknown> {
  const metadata = { '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata', build: buildJson(b, o) };
  if (!FINAL_STATUSES.has(b.status)) return { name: b.operationName, metadata };
  if (b.status === 'SUCCESS') {
    return {
      name: b.operationName,
      metadata,
      done: true,
      response: { '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.Build', ...buildJson(b, o) },
    };
  }
  const error = b.status === 'CANCELLED' ? { code: 1, message: 'Build was cancelled' } : { code: 2, message: `Build failed; check build logs for details` };
  return { name: b.operationName, metadata, done: true, error };
}
