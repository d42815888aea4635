/**
 * The Cloud Build port exports need (create, get, cancel, list) and its adapter over
 * @google-cloud/cloudbuild with `fallback: true` (REST): the same transport reaches Google with ADC or
 * a local fake over plain HTTP. Statuses come back from the client as numbers; here they are names.
 */
import type { CloudBuildClient, protos } from '@google-cloud/cloudbuild';
import { toGcpError } from '../platform/compute/gce-errors.ts';
import type { BuildInfo, BuildRef, BuildRequest, BuildStatusName, CloudBuild } from './ports.ts';
import type { RequestTap } from '../platform/request-log.ts';

type IBuild = protos.google.devtools.cloudbuild.v1.IBuild;
/** Build.Status as the client returns it (numbers), from cloudbuild.proto. */
const STATUS_NAMES: Record<number, BuildStatusName> = {
  0: 'STATUS_UNKNOWN',
  10: 'PENDING',
  1: 'QUEUED',
  2: 'WORKING',
  3: 'SUCCESS',
  4: 'FAILURE',
  5: 'INTERNAL_ERROR',
  6: 'TIMEOUT',
  7: 'CANCELLED',
  9: 'EXPIRED',
};

function statusName(v: unknown): BuildStatusName {
  if (typeof v === 'number') return STATUS_NAMES[v] ?? 'STATUS_UNKNOWN';
  return (typeof v === 'string' && v ? v : 'STATUS_UNKNOWN') as BuildStatusName;
}

function timestamp(t: { seconds?: unknown; nanos?: number | null } | null | undefined): Date | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  return new Date(Number(String(t.seconds)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

export function toBuildInfo(b: IBuild): BuildInfo {
  return {
    id: b.id ?? '',
    status: statusName(b.status),
    logUrl: b.logUrl || undefined,
    detail: b.failureInfo?.detail || b.statusDetail || undefined,
    createTime: timestamp(b.createTime),
    args: [...(b.steps?.[0]?.args ?? [])],
  };
}

/** A duration string ('7200s') as the protobuf Duration the client wants. */
function duration(s: string): { seconds: number } {
  return { seconds: Number(/^(\d+)s$/.exec(s)?.[1] ?? '0') };
}

/** Errors from the client as GcpErrors: the same kinds (rate_limited, unavailable…) drive retries. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toGcpError(e);
  }
}

export class GcpCloudBuild implements CloudBuild {
  readonly #endpoint?: string;
  readonly #onRequest?: RequestTap;
  #client?: Promise<CloudBuildClient>;

  constructor(opts: { apiEndpoint?: string; onRequest?: RequestTap } = {}) {
    this.#endpoint = opts.apiEndpoint;
    this.#onRequest = opts.onRequest;
  }

  /** Loaded and built on first use: an app that never exports keeps the library out of memory and never looks for credentials. */
  get #c(): Promise<CloudBuildClient> {
    // google-gax (via gce-endpoint.ts) comes with the library, not with this module: importing
    // this file for its types or constants loads no Google code.
    this.#client ??= Promise.all([import('@google-cloud/cloudbuild'), import('../platform/compute/gce-endpoint.ts')]).then(
      ([{ CloudBuildClient: C }, { clientOptions }]) => new C({ ...(clientOptions(this.#endpoint) as object), fallback: true }),
    );
    return this.#client;
  }

  #name(ref: BuildRef): { name: string } | { projectId: string; id: string } {
    return ref.location ? { name: `projects/${ref.project}/locations/${ref.location}/builds/${ref.id}` } : { projectId: ref.project, id: ref.id };
  }

  async create(project: string, location: string | undefined, build: BuildRequest) {
    const body = { steps: build.steps, tags: build.tags, timeout: duration(build.timeout), ...(build.logsBucket ? { logsBucket: build.logsBucket } : {}) };
    // With `parent` alone the client picks the regional binding; with projectId the global one.
    const request = location ? { parent: `projects/${project}/locations/${location}`, build: body } : { projectId: project, build: body };
    this.#onRequest?.('google.devtools.cloudbuild.v1.CloudBuild', 'createBuild', request);
    const [op] = await call(async () => (await this.#c).createBuild(request));
    const meta = op.metadata as { build?: IBuild } | undefined;
    if (!op.name || !meta?.build?.id) throw new Error('Cloud Build answered without an operation name or build id');
    return { operationName: op.name, build: toBuildInfo(meta.build) };
  }

  async get(ref: BuildRef): Promise<BuildInfo> {
    const [b] = await call(async () => (await this.#c).getBuild(this.#name(ref)));
    return toBuildInfo(b);
  }

  async cancel(ref: BuildRef): Promise<void> {
    try {
      await call(async () => (await this.#c).cancelBuild(this.#name(ref)));
    } catch (e) {
      // 400 FAILED_PRECONDITION / 409: it is not running any more, which is what we wanted.
      if (e instanceof Error && 'kind' in e && (e.kind === 'invalid' || e.kind === 'conflict')) return;
      throw e;
    }
  }

  async listByTags(project: string, location: string | undefined, tags: string[], pageSize = 50): Promise<BuildInfo[]> {
    const filter = tags.map((t) => `tags="${t}"`).join(' AND ');
    const scope = location ? { parent: `projects/${project}/locations/${location}` } : { projectId: project };
    const [builds] = await call(async () => (await this.#c).listBuilds({ ...scope, filter, pageSize }, { autoPaginate: false }));
    return builds.map(toBuildInfo);
  }

  async close(): Promise<void> {
    if (this.#client) await (await this.#client).close();
  }
}
