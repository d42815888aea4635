/**
 * A Cloud Monitoring fake: `GET /v3/projects/{project}/timeSeries` (REST, as @google-cloud/monitoring
 * speaks it with `fallback: true`) for the two Compute Engine metrics the idle check reads, generated
 * per minute from what simulated users do on each VM (an activity plan) and from the GCE simulator's
 * history of each VM's status: a VM has points only for minutes it was RUNNING. Each point becomes
 * visible only after a delay (GCE documents "After sampling, data is not visible for up to 240
 * seconds"): by default a seeded 60–240 s per point.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CPU_METRIC, RECEIVED_METRIC } from '../../src/platform/monitoring/port.ts';
import { type ActivityPattern, PATTERNS, sampleMinute, unit } from './patterns.ts';

export { type ActivityPattern, PATTERNS, sampleMinute } from './patterns.ts';

export { CPU_METRIC, RECEIVED_METRIC };

const MINUTE = 60_000;

export interface FakeMonitoringOptions {
  project: string;
  now: () => Date;
  /** Seed of the patterns' values and of the delays (default 1). */
  seed?: number;
  /** Visibility delay per point in ms, drawn in [min, max] (default 60–240 s); {0, 0}: at once. */
  delayMs?: { min: number; max: number };
}

/** What the fake was asked (the contract test and the two-queries-per-minute check read these). */
export interface MonitoringRequest {
  project: string;
  filter: string;
  startTime?: string;
  endTime?: string;
  /** TimeSeriesView: FULL (0) or HEADERS (1); the REST fallback sends the number. */
  view?: string;
  pageSize?: number;
  pageToken?: string;
  at: Date;
}

interface VmRecord {
  id: string;
  name: string;
  zone: string;
  /** Status changes, oldest first. */
  history: Array<{ at: number; status: string }>;
}

interface Plan {
  from: number;
  pattern: ActivityPattern;
}

class MonitoringError extends Error {
  readonly status: number;
  readonly statusText: string;
  constructor(status: number, statusText: string, message: string) {
    super(message);
    this.status = status;
    this.statusText = statusText;
  }
}

export class FakeMonitoring {
  readonly project: string;
  readonly requests: MonitoringRequest[] = [];
  readonly #now: () => Date;
  readonly #seed: number;
  #delay: { min: number; max: number };
  readonly #vms = new Map<string, VmRecord>();
  readonly #plans = new Map<string, Plan[]>();

  constructor(opts: FakeMonitoringOptions) {
    this.project = opts.project;
    this.#now = opts.now;
    this.#seed = opts.seed ?? 1;
    this.#delay = opts.delayMs ?? { min: 60_000, max: 240_000 };
  }

  /** What simulated users do: `pattern` holds on the VM named `instanceName` from `from` until the next set. */
  readonly activity = {
    set: (instanceName: string, pattern: ActivityPattern, from: Date = this.#now()): void => {
      if (!PATTERNS.includes(pattern)) throw new Error(`unknown activity pattern ${pattern}`);
      const plans = (this.#plans.get(instanceName) ?? []).filter((p) => p.from < from.getTime());
      plans.push({ from: from.getTime(), pattern });
      this.#plans.set(instanceName, plans);
    },
    /** The pattern on a VM at a time (idle-noise where nothing was planned). */
    at: (instanceName: string, at: Date = this.#now()): ActivityPattern => this.#patternAt(instanceName, at.getTime()),
  };

  setDelay(delayMs: { min: number; max: number }): void {
    this.#delay = delayMs;
  }

  /** The GCE simulator tells of every status change (and deletion) of an instance. */
  statusChanged(res: { id: string; name: string; zone: string; status: string }, gone: boolean): void {
    const vm = this.#vms.get(res.id) ?? { id: res.id, name: res.name, zone: res.zone.slice(res.zone.lastIndexOf('/') + 1), history: [] };
    this.#vms.set(res.id, vm);
    const status = gone ? 'DELETED' : res.status;
    if (vm.history.at(-1)?.status !== status) vm.history.push({ at: this.#now().getTime(), status });
  }

  #patternAt(name: string, at: number): ActivityPattern {
    let pattern: ActivityPattern = 'idle-noise';
    for (const p of this.#plans.get(name) ?? []) if (p.from <= at) pattern = p.pattern;
    return pattern;
  }

  #runningAt(vm: VmRecord, at: number): boolean {
    let status: string | undefined;
    for (const h of vm.history) {
      if (h.at > at) break;
      status = h.status;
    }
    return status === 'RUNNING';
  }

  /** When the point of the minute ending at `end` becomes visible. */
  #visibleAt(vm: VmRecord, end: number): number {
    const { min, max } = this.#delay;
    return end + min + Math.round(unit(this.#seed, vm.id, end / MINUTE, 99) * (max - min));
  }

  /** The time series of `metric` for these VMs with points ending in [start, end], as visible now; points newest first. */
  series(metric: string, instanceIds: readonly string[] | null, start: number, end: number): unknown[] {
    const now = this.#now().getTime();
    const out: unknown[] = [];
    const vms = instanceIds ? instanceIds.map((id) => this.#vms.get(id)).filter((v): v is VmRecord => !!v) : [...this.#vms.values()];
    for (const vm of vms) {
      const points = [];
      // A sample is taken at the end of each whole minute the VM is RUNNING.
      for (let t = Math.floor(Math.min(end, now) / MINUTE) * MINUTE; t >= start && t > 0; t -= MINUTE) {
        if (!this.#runningAt(vm, t) || !this.#runningAt(vm, t - MINUTE + 1) || this.#visibleAt(vm, t) > now) continue;
        const sample = sampleMinute(this.#patternAt(vm.name, t - MINUTE), this.#seed, vm.id, t / MINUTE - 1);
        const endTime = new Date(t).toISOString();
        points.push(
          metric === CPU_METRIC
            ? { interval: { startTime: endTime, endTime }, value: { doubleValue: sample.cpu } }
            : { interval: { startTime: new Date(t - MINUTE).toISOString(), endTime }, value: { int64Value: String(sample.receivedBytes) } },
        );
      }
      if (!points.length) continue;
      out.push({
        metric: { type: metric, labels: metric === CPU_METRIC ? { instance_name: vm.name } : { instance_name: vm.name, loadbalanced: 'false' } },
        resource: { type: 'gce_instance', labels: { project_id: this.project, instance_id: vm.id, zone: vm.zone } },
        metricKind: metric === CPU_METRIC ? 'GAUGE' : 'DELTA',
        valueType: metric === CPU_METRIC ? 'DOUBLE' : 'INT64',
        points,
      });
    }
    return out;
  }

  /** Serve `/v3/projects/{project}/timeSeries`; false when the path is not the fake's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://monitoring');
    const m = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(url.pathname);
    if (!url.pathname.startsWith('/v3/')) return false;
    try {
      if (!m || req.method !== 'GET') throw new MonitoringError(404, 'NOT_FOUND', `Method not found: ${req.method} ${url.pathname}`);
      send(res, 200, this.#list(decodeURIComponent(m[1]!), url.searchParams));
    } catch (e) {
      const err = e instanceof MonitoringError ? e : new MonitoringError(500, 'INTERNAL', String(e));
      send(res, err.status, { error: { code: err.status, message: err.message, status: err.statusText } });
    }
    return true;
  }

  #list(project: string, q: URLSearchParams): unknown {
    const filter = q.get('filter') ?? '';
    const startTime = q.get('interval.startTime') ?? undefined;
    const endTime = q.get('interval.endTime') ?? undefined;
    const pageSize = q.get('pageSize') ? Number(q.get('pageSize')) : undefined;
    const pageToken = q.get('pageToken') || undefined;
    this.requests.push({ project, filter, startTime, endTime, view: q.get('view') ?? undefined, pageSize, pageToken, at: this.#now() });
    if (project !== this.project)
      throw new MonitoringError(403, 'PERMISSION_DENIED', `Permission monitoring.timeSeries.list denied (or the resource may not exist).`);
    if (!endTime) throw new MonitoringError(400, 'INVALID_ARGUMENT', 'Field interval.endTime had an invalid value: must be set.');
    const { metric, instanceIds } = parseFilter(filter);
    const end = Date.parse(endTime);
    const start = startTime ? Date.parse(startTime) : end;
    if (Number.isNaN(end) || Number.isNaN(start) || start > end) throw new MonitoringError(400, 'INVALID_ARGUMENT', 'The interval is not valid.');
    const all = metric === CPU_METRIC || metric === RECEIVED_METRIC ? this.series(metric, instanceIds, start, end) : [];
    const size = Math.min(pageSize && pageSize > 0 ? pageSize : 100_000, 100_000);
    const offset = pageToken ? Number(pageToken) : 0;
    const page = all.slice(offset, offset + size);
    return { timeSeries: page, ...(offset + size < all.length ? { nextPageToken: String(offset + size) } : {}), unit: metric === CPU_METRIC ? '10^2.%' : 'By' };
  }
}

/**
 * The filters the app sends: `metric.type = "…"` (exactly one, as Monitoring requires), optionally
 * `resource.type = "gce_instance"` and `resource.labels.instance_id = one_of("1", "2")` (or `= "1"`),
 * joined by AND. Anything else is refused as Monitoring refuses a filter it cannot parse.
 */
export function parseFilter(filter: string): { metric: string; instanceIds: string[] | null } {
  let metric: string | undefined;
  let instanceIds: string[] | null = null;
  for (const clause of filter.split(/\s+AND\s+/)) {
    const c = clause.trim();
    let m: RegExpExecArray | null;
    if ((m = /^metric\.type\s*=\s*"([^"]+)"$/.exec(c))) metric = m[1];
    else if (/^resource\.type\s*=\s*"gce_instance"$/.test(c)) continue;
    else if ((m = /^resource\.labels\.instance_id\s*=\s*"(\d+)"$/.exec(c))) instanceIds = [m[1]!];
    else if ((m = /^resource\.labels\.instance_id\s*=\s*one_of\(([^)]*)\)$/.exec(c))) instanceIds = [...m[1]!.matchAll(/"(\d+)"/g)].map((x) => x[1]!);
    else throw new MonitoringError(400, 'INVALID_ARGUMENT', `Could not parse filter: ${c}`);
  }
  if (!metric) throw new MonitoringError(400, 'INVALID_ARGUMENT', 'A filter must specify exactly one metric type (metric.type = "…").');
  return { metric, instanceIds };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
