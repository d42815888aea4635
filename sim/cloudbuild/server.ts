/**
 * A local Cloud Build (v1 REST, the subset @google-cloud/cloudbuild speaks with `fallback: true`) and a
 * sliver of Cloud Storage, for tests and local mode. A build runs QUEUED → WORKING → SUCCESS after a
 * configurable time, or is held for a test to finish; when an image-export build succeeds, its
 * `-destination_uri` object appears in the fake bucket. Every build request is kept for assertions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Timers } from '../gce/state.ts';
import { buildJson, FINAL_STATUSES, type FakeBuild, type FinalStatus, newBuild, operationJson, stepArg, tagsOf } from './builds.ts';
import { FakeGcs, parseGsUri, type FakeBucket, type FakeObject } from './gcs.ts';

export interface FakeCloudBuildOptions {
  /** Used in logUrl and the default logs bucket, as Cloud Build does. */
  projectNumber?: string;
  /** QUEUED → WORKING, then WORKING → SUCCESS (ms). */
  queuedMs?: number;
  workingMs?: number;
  /** Size of the object an export build writes. */
  objectBytes?: number;
  /** The export tool fails when its -source_image does not exist (wire it to the GCE simulator). */
  sourceImageExists?: (project: string, image: string) => boolean;
  now?: () => Date;
}

/** What local mode keeps across restarts (dates as ISO strings, as JSON has them). */
export interface CloudBuildSnapshot {
  builds: FakeBuild[];
  buckets: FakeBucket[];
  objects: FakeObject[];
}

export interface RecordedCall {
  method: string;
  httpMethod: string;
  path: string;
  status: number;
  at: Date;
}

export interface FakeFault {
  /** builds.create, builds.get, builds.cancel, builds.list, operations.get, storage (any GCS call), or '*'. */
  method: string;
  status: 429 | 500 | 503 | 403 | 404;
  times?: number;
}

const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
const PREFIX = /^\/v1\/projects\/(?<project>[^/]+)(?:\/locations\/(?<location>[^/]+))?\//;

function apiError(code: number, message: string) {
  return { status: code, body: { error: { code, message, status: GRPC_STATUS[code] ?? 'UNKNOWN' } } };
}

export class FakeCloudBuild {
  readonly gcs: FakeGcs;
  readonly calls: RecordedCall[] = [];
  readonly #builds = new Map<string, FakeBuild>();
  readonly #timers = new Timers();
  readonly #opts: Required<Omit<FakeCloudBuildOptions, 'sourceImageExists'>> & Pick<FakeCloudBuildOptions, 'sourceImageExists'>;
  #faults: Array<FakeFault & { left: number }> = [];
  #failNext: Array<{ status: FinalStatus; detail: string; left: number }> = [];
  #hold = false;
  #server?: Server;
  #url?: string;

  constructor(opts: FakeCloudBuildOptions = {}) {
    this.#opts = { projectNumber: '123456789012', queuedMs: 0, workingMs: 0, objectBytes: 2_147_483_648, now: () => new Date(), ...opts };
    this.gcs = new FakeGcs({ now: this.#opts.now, projectNumber: this.#opts.projectNumber });
  }

  get url(): string {
    if (!this.#url) throw new Error('FakeCloudBuild is not listening');
    return this.#url;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    this.#url = `http://${host}:${(server.address() as AddressInfo).port}`;
    return { url: this.#url };
  }

  async close(): Promise<void> {
    this.#timers.stop();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  // --- what it holds ---
  /** Every build requested, oldest first (its `request` is the Build exactly as sent). */
  get builds(): FakeBuild[] {
    return [...this.#builds.values()];
  }
  build(id: string): FakeBuild | undefined {
    return this.#builds.get(id);
  }

  // --- steering ---
  /** While on, new builds stay WORKING until finish() (or release()). */
  hold(on = true): void {
    this.#hold = on;
  }
  /** The next `times` builds end in `status` with this failure detail. */
  failNext(spec: { status?: FinalStatus; detail?: string; times?: number } = {}): void {
    this.#failNext.push({ status: spec.status ?? 'FAILURE', detail: spec.detail ?? 'step exited with non-zero status: 1', left: spec.times ?? 1 });
  }
  /** The next matching requests are refused at once with this HTTP status. */
  injectFault(fault: FakeFault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }
  setTiming(t: { queuedMs?: number; workingMs?: number }): void {
    Object.assign(this.#opts, Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)));
  }
  /** Let a held build run to the end it would have had (SUCCESS unless told to fail). */
  release(id?: string): void {
    for (const b of this.builds.filter((x) => x.held && (id === undefined || x.id === id))) {
      b.held = false;
      if (b.status === 'WORKING') this.#complete(b);
    }
  }
  /** End a build now with this status. */
  finish(id: string, status: FinalStatus, detail?: string): void {
    const b = this.#builds.get(id);
    if (!b || FINAL_STATUSES.has(b.status)) return;
    this.#end(b, status, detail);
  }

  // --- local mode keeps builds and exported objects across restarts ---
  snapshot(): CloudBuildSnapshot {
    return { builds: this.builds, buckets: [...this.gcs.buckets.values()], objects: [...this.gcs.objects.values()] };
  }

  /** Into a new fake: a build that was running when the snapshot was taken has finished meanwhile. */
  restore(saved: CloudBuildSnapshot): void {
    const date = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d));
    for (const b of saved.buckets) this.gcs.buckets.set(b.name, { ...b, timeCreated: date(b.timeCreated)! });
    for (const o of saved.objects) this.gcs.objects.set(`${o.bucket}/${o.name}`, { ...o, updated: date(o.updated)! });
    for (const b of saved.builds) {
      const build: FakeBuild = { ...b, createTime: date(b.createTime)!, startTime: date(b.startTime), finishTime: date(b.finishTime), held: false };
      this.#builds.set(build.id, build);
      if (FINAL_STATUSES.has(build.status)) continue;
      build.status = 'WORKING';
      build.startTime ??= this.#opts.now();
      this.#complete(build);
    }
  }

  // --- the build lifecycle ---
  #start(b: FakeBuild): void {
    this.#timers.after(this.#opts.queuedMs, () => {
      if (b.status !== 'QUEUED') return;
      b.status = 'WORKING';
      b.startTime = this.#opts.now();
      if (!b.held) this.#timers.after(this.#opts.workingMs, () => this.#complete(b));
    });
  }

  #complete(b: FakeBuild): void {
    if (b.status !== 'WORKING' || b.held) return;
    const injected = this.#failNext[0];
    if (injected) {
      if (--injected.left <= 0) this.#failNext.shift();
      return this.#end(b, injected.status, injected.detail);
    }
    // What gce_vm_image_export checks before it writes anything.
    const source = stepArg(b, 'source_image');
    const image = source?.split('/').pop();
    if (source && image && this.#opts.sourceImageExists && !this.#opts.sourceImageExists(b.project, image)) {
      return this.#end(b, 'FAILURE', `[image-export] Image "${image}" not found`);
    }
    const dest = parseGsUri(stepArg(b, 'destination_uri') ?? '');
    if (tagsOf(b).includes('gce-daisy-image-export') && dest) {
      if (!this.gcs.buckets.has(dest.bucket)) return this.#end(b, 'FAILURE', `[image-export] storage: bucket "${dest.bucket}" doesn't exist`);
      this.gcs.putObject(dest.bucket, dest.object, this.#opts.objectBytes);
    }
    this.#end(b, 'SUCCESS');
  }

  #end(b: FakeBuild, status: FinalStatus, detail?: string): void {
    b.status = status;
    b.finishTime = this.#opts.now();
    if (status !== 'SUCCESS' && status !== 'CANCELLED') {
      b.statusDetail = detail ?? `Build ${status.toLowerCase()}`;
      if (status === 'FAILURE') b.failureInfo = { type: 'USER_BUILD_STEP', detail: detail ?? 'Build step failure' };
    }
  }

  // --- HTTP ---
  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-cloudbuild');
    const httpMethod = req.method ?? 'GET';
    const entry: RecordedCall = { method: 'unknown', httpMethod, path: url.pathname, status: 0, at: this.#opts.now() };
    this.calls.push(entry);
    const send = (r: { status: number; body: unknown; headers?: Record<string, string> }) => {
      entry.status = r.status;
      const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', ...r.headers });
      res.end(text);
    };
    try {
      const body = await readJson(req);
      const route = this.#route(httpMethod, url);
      entry.method = route?.method ?? (url.pathname.startsWith('/v1/') ? 'unknown' : 'storage');
      const fault = this.#takeFault(entry.method);
      if (fault) return send(apiError(fault.status, `Injected ${fault.status} for ${entry.method}`));
      if (route) return send(route.run(body));
      const gcs = this.gcs.handle(httpMethod, url, body, this.url);
      send(gcs ?? apiError(404, `Method not found: ${httpMethod} ${url.pathname}`));
    } catch (err) {
      send(apiError(400, `Invalid JSON payload received. ${(err as Error).message}`));
    }
  }

  #takeFault(method: string) {
    const i = this.#faults.findIndex((f) => f.method === '*' || f.method === method);
    if (i < 0) return undefined;
    const f = this.#faults[i]!;
    if (--f.left <= 0) this.#faults.splice(i, 1);
    return f;
  }

  #route(httpMethod: string, url: URL): { method: string; run: (body: Record<string, unknown>) => { status: number; body: unknown } } | undefined {
    const wire = { intEnums: (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int'), projectNumber: this.#opts.projectNumber };
    const path = decodeURIComponent(url.pathname);
    const op = /^\/v1\/(operations\/build\/.+|projects\/[^/]+\/locations\/[^/]+\/operations\/[^/:]+)(:cancel)?$/.exec(path);
    if (op) {
      const found = this.builds.find((b) => b.operationName === op[1]);
      const method = op[2] ? 'operations.cancel' : 'operations.get';
      if ((op[2] && httpMethod !== 'POST') || (!op[2] && httpMethod !== 'GET')) return undefined;
      return {
        method,
        run: () => {
          if (!found) return apiError(404, `operation ${op[1]} not found`);
          if (op[2]) this.finish(found.id, 'CANCELLED');
          return { status: 200, body: op[2] ? {} : operationJson(found, wire) };
        },
      };
    }
    const m = PREFIX.exec(path);
    if (!m) return undefined;
    const { project, location } = m.groups as { project: string; location?: string };
    const rest = path.slice(m[0].length);
    const inScope = (b: FakeBuild | undefined) => (b && b.project === project && b.location === location ? b : undefined);
    if (rest === 'builds' && httpMethod === 'POST') {
      return {
        method: 'builds.create',
        run: (body) => {
          if (!Array.isArray(body.steps) || body.steps.length === 0) return apiError(400, 'invalid build: build must have at least one step');
          const b = newBuild({ project, location, request: body, now: this.#opts.now(), held: this.#hold });
          this.#builds.set(b.id, b);
          this.#start(b);
          return { status: 200, body: operationJson(b, wire) };
        },
      };
    }
    if (rest === 'builds' && httpMethod === 'GET') {
      return {
        method: 'builds.list',
        run: () => ({ status: 200, body: { builds: this.#list(project, location, url.searchParams.get('filter')).map((b) => buildJson(b, wire)) } }),
      };
    }
    const one = /^builds\/([^/:]+)(:cancel)?$/.exec(rest);
    if (!one) return undefined;
    if (one[2] && httpMethod === 'POST') {
      return {
        method: 'builds.cancel',
        run: () => {
          const b = inScope(this.#builds.get(one[1]!));
          if (!b) return apiError(404, `build ${one[1]} not found`);
          if (FINAL_STATUSES.has(b.status)) return apiError(400, `build ${b.id} is not running (status ${b.status})`);
          this.finish(b.id, 'CANCELLED');
          return { status: 200, body: buildJson(b, wire) };
        },
      };
    }
    if (!one[2] && httpMethod === 'GET') {
      return {
        method: 'builds.get',
        run: () => {
          const b = inScope(this.#builds.get(one[1]!));
          return b ? { status: 200, body: buildJson(b, wire) } : apiError(404, `build ${one[1]} not found`);
        },
      };
    }
    return undefined;
  }

  /** Newest first; understands `tags="x"` terms joined by AND (what exports ask), ignores the rest. */
  #list(project: string, location: string | undefined, filter: string | null): FakeBuild[] {
    const tags = [...(filter ?? '').matchAll(/tags\s*=\s*"([^"]*)"/g)].map((t) => t[1]!);
    return this.builds
      .filter((b) => b.project === project && b.location === location && tags.every((t) => tagsOf(b).includes(t)))
      .sort((a, b) => b.createTime.getTime() - a.createTime.getTime());
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
