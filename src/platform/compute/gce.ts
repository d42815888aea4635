/**
 * The Compute port over @google-cloud/compute v7 (REST transport). With `apiEndpoint: 'http://host:port'`
 * it talks plain HTTP to an emulator (the simulator) without Google credentials; otherwise it uses ADC.
 */
// The package's documented entry point (it loads all of v1, v1beta and v1small: only the worker
// role loads this module, the web role never does).
import {
  DisksClient,
  GlobalOperationsClient,
  ImagesClient,
  InstancesClient,
  MachineImagesClient,
  MachineTypesClient,
  protos,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import {
  type Compute,
  GcpError,
  type Disk,
  type DiskImage,
  type InsertImageRequest,
  type InsertInstanceRequest,
  type InsertMachineImageRequest,
  type Instance,
  type InstanceStatus,
  type MachineImage,
  type MachineTypeInfo,
  type OperationRef,
  type OperationResult,
  operationErrorKind,
  type Page,
} from './port.ts';
import { bootDiskOf, diskPath, toDisk, toDiskImage } from './gce-images.ts';
import { backoffDelay, sleep, type RetryOptions } from './retry.ts';
import { clientOptions } from './gce-endpoint.ts';
import { toGcpError } from './gce-errors.ts';

export { backoffDelay, retryTransient, type RetryOptions } from './retry.ts';

type IOperation = protos.google.cloud.compute.v1.IOperation;
type IInstance = protos.google.cloud.compute.v1.IInstance;
type IMachineImage = protos.google.cloud.compute.v1.IMachineImage;
type IInstanceAggregatedList = protos.google.cloud.compute.v1.IInstanceAggregatedList;
type IMachineType = protos.google.cloud.compute.v1.IMachineType;

export interface GceComputeOptions {
  project: string;
  /** `http://host:port`: an emulator, no credentials. `https://host[:port]` or `host`: that endpoint, ADC. */
  apiEndpoint?: string;
  /** Cap on one operations `wait` call (GCE itself answers within ~2 min). */
  waitCallTimeoutMs?: number;
  /** Least time between the starts of two `wait` calls, so a server answering at once is not hammered. */
  minWaitIntervalMs?: number;
  /** Backoff for transient errors inside waitOperation (attempts is ignored: the timeout bounds it). */
  retry?: Omit<RetryOptions, 'attempts' | 'signal'>;
  /** maxResults of list calls that read every page (GCE's most, 500, unless a test wants many pages). */
  listPageSize?: number;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toGcpError(e);
  }
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof GcpError && e.kind === 'not_found') return null;
    throw e;
  }
}

// ---------- retries ----------

// ---------- shapes ----------

const last = (s: string | null | undefined): string => (s ? s.slice(s.lastIndexOf('/') + 1) : '');
const date = (s: string | null | undefined): Date | undefined => (s ? new Date(s) : undefined);
const text = (s: string | null | undefined): string | undefined => s || undefined;
/** `https://…/compute/v1/projects/P/…` → `projects/P/…`. */
const relative = (s: string | null | undefined): string | undefined => (s ? s.slice(Math.max(0, s.indexOf('projects/'))) : undefined);

/**
 * The REST transport decodes enums as their names (google-gax fallback: `enums: String`); a number,
 * should one ever come, is looked up in the package's generated enums.
 */
function enumName(v: unknown, message: 'Instance' | 'Operation'): string {
  if (typeof v !== 'number') return String(v ?? '');
  return (protos.google.cloud.compute.v1[message].Status as unknown as Record<number, string>)[v] ?? String(v);
}

function toInstance(i: IInstance): Instance {
  const nic = i.networkInterfaces?.[0];
  return {
    name: i.name ?? '',
    zone: last(i.zone),
    status: enumName(i.status, 'Instance') as InstanceStatus,
    machineType: last(i.machineType),
    labels: { ...(i.labels ?? {}) },
    labelFingerprint: text(i.labelFingerprint),
    externalIp: text(nic?.accessConfigs?.[0]?.natIP),
    internalIp: text(nic?.networkIP),
    sourceMachineImage: relative(i.sourceMachineImage),
    createdAt: date(i.creationTimestamp),
    lastStartAt: date(i.lastStartTimestamp),
    lastStopAt: date(i.lastStopTimestamp),
    bootDisk: bootDiskOf(i.disks),
  };
}

function toMachineImage(project: string, m: IMachineImage): MachineImage {
  const name = m.name ?? '';
  const bytes = m.totalStorageBytes === null || m.totalStorageBytes === undefined ? undefined : Number(m.totalStorageBytes);
  return {
    name,
    resourcePath: `projects/${project}/global/machineImages/${name}`,
    description: m.description ?? '',
    labels: { ...(m.labels ?? {}) },
    status: m.status ?? '',
    createdAt: date(m.creationTimestamp) ?? new Date(0),
    sourceInstance: text(m.sourceInstance),
    storageLocations: m.storageLocations?.length ? [...m.storageLocations] : undefined,
    totalStorageBytes: Number.isFinite(bytes) ? bytes : undefined,
  };
}

function toMachineType(t: IMachineType, zone: string): MachineTypeInfo {
  return {
    name: t.name ?? '',
    zone: last(t.zone) || zone, // GCE gives the zone's name; take the last segment should a URL come
    guestCpus: t.guestCpus ?? 0,
    memoryMb: t.memoryMb ?? 0,
    isSharedCpu: t.isSharedCpu ?? false,
    description: text(t.description),
  };
}

export function toOperationResult(op: IOperation): OperationResult {
  const status = enumName(op.status, 'Operation') as OperationResult['status'];
  const first = op.error?.errors?.[0];
  const code = first?.code ?? (op.error ? 'UNKNOWN' : undefined);
  return {
    status,
    ...(code ? { error: { code, message: first?.message ?? code, kind: operationErrorKind(code) } } : {}),
    ...(op.targetLink ? { targetLink: op.targetLink } : {}),
  };
}

function toRef(lro: { latestResponse?: unknown }, zone?: string): OperationRef {
  // lro.name is the numeric id; `wait` takes the operation's name.
  const op = lro.latestResponse as IOperation;
  if (!op?.name) throw new GcpError('unknown', 'GCE answered without an operation name');
  return zone ? { name: op.name, zone } : { name: op.name };
}

// ---------- the adapter ----------

export class GceCompute implements Compute {
  readonly project: string;
  readonly #instances: InstancesClient;
  readonly #images: MachineImagesClient;
  readonly #zoneOps: ZoneOperationsClient;
  readonly #globalOps: GlobalOperationsClient;
  readonly #diskImages: ImagesClient;
  readonly #disks: DisksClient;
  readonly #machineTypes: MachineTypesClient;
  readonly #opts: GceComputeOptions;

  constructor(opts: GceComputeOptions) {
    this.project = opts.project;
    this.#opts = opts;
    const co = clientOptions(opts.apiEndpoint);
    this.#instances = new InstancesClient(co);
    this.#images = new MachineImagesClient(co);
    this.#zoneOps = new ZoneOperationsClient(co);
    this.#globalOps = new GlobalOperationsClient(co);
    this.#diskImages = new ImagesClient(co);
    this.#disks = new DisksClient(co);
    this.#machineTypes = new MachineTypesClient(co);
  }

  async listMachineImages(opts: { filter?: string; pageToken?: string; maxResults?: number } = {}): Promise<Page<MachineImage>> {
    const [items, , raw] = await call(() => this.#images.list({ project: this.project, ...opts }, { autoPaginate: false }));
    return { items: items.map((m) => toMachineImage(this.project, m)), nextPageToken: text(raw?.nextPageToken) };
  }

  async getMachineImage(name: string): Promise<MachineImage | null> {
    const got = await orNull(call(() => this.#images.get({ project: this.project, machineImage: name })));
    return got ? toMachineImage(this.project, got[0]) : null;
  }

  async insertMachineImage(req: InsertMachineImageRequest): Promise<OperationRef> {
    const sourceInstance = `projects/${this.project}/zones/${req.sourceInstance.zone}/instances/${req.sourceInstance.name}`;
    const machineImageResource = { name: req.name, sourceInstance, description: req.description, labels: req.labels };
    const [lro] = await call(() => this.#images.insert({ project: this.project, requestId: req.requestId, machineImageResource }));
    return toRef(lro);
  }

  async deleteMachineImage(name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await call(() => this.#images.delete({ project: this.project, machineImage: name, requestId }));
    return toRef(lro);
  }

  async insertInstance(req: InsertInstanceRequest): Promise<OperationRef> {
    const image = req.sourceMachineImage;
    const sourceMachineImage = image.includes('/')
      ? image.startsWith('global/')
        ? `projects/${this.project}/${image}`
        : image
      : `projects/${this.project}/global/machineImages/${image}`;
    const machineType = req.machineType && !req.machineType.includes('/') ? `zones/${req.zone}/machineTypes/${req.machineType}` : req.machineType;
    const instanceResource = { name: req.name, labels: req.labels, sourceMachineImage, ...(machineType ? { machineType } : {}) };
    const [lro] = await call(() => this.#instances.insert({ project: this.project, zone: req.zone, requestId: req.requestId, instanceResource }));
    return toRef(lro, req.zone);
  }

  async getInstance(zone: string, name: string): Promise<Instance | null> {
    const got = await orNull(call(() => this.#instances.get({ project: this.project, zone, instance: name })));
    return got ? toInstance(got[0]) : null;
  }

  async listInstances(opts: { filter?: string; pageToken?: string; maxResults?: number } = {}): Promise<Page<Instance>> {
    // The client only offers aggregatedList as an auto-paging iterator, which hides nextPageToken;
    // its inner call with autoPaginate: false returns one page and the raw response.
    await this.#instances.initialize();
    const inner = this.#instances.innerApiCalls.aggregatedList as (req: object, o: object) => Promise<[unknown, unknown, IInstanceAggregatedList]>;
    const [, , raw] = await call(() => inner({ project: this.project, ...opts }, { autoPaginate: false }));
    const items = Object.values(raw?.items ?? {}).flatMap((scoped) => (scoped.instances ?? []).map(toInstance));
    return { items, nextPageToken: text(raw?.nextPageToken) };
  }

  async stopInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await call(() => this.#instances.stop({ project: this.project, zone, instance: name, requestId }));
    return toRef(lro, zone);
  }

  async startInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await call(() => this.#instances.start({ project: this.project, zone, instance: name, requestId }));
    return toRef(lro, zone);
  }

  async deleteInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await call(() => this.#instances.delete({ project: this.project, zone, instance: name, requestId }));
    return toRef(lro, zone);
  }

  async setInstanceLabels(req: {
    zone: string;
    name: string;
    labels: Record<string, string>;
    labelFingerprint: string;
    requestId: string;
  }): Promise<OperationRef> {
    const instancesSetLabelsRequestResource = { labels: req.labels, labelFingerprint: req.labelFingerprint };
    const [lro] = await call(() =>
      this.#instances.setLabels({ project: this.project, zone: req.zone, instance: req.name, requestId: req.requestId, instancesSetLabelsRequestResource }),
    );
    return toRef(lro, req.zone);
  }

  async listMachineTypes(zone: string): Promise<MachineTypeInfo[]> {
    // listAsync follows nextPageToken itself, one request per page (autoPaginate: false is what the
    // async iterator does anyway; saying so keeps gax from warning that it ignores the default).
    const request = { project: this.project, zone, maxResults: this.#opts.listPageSize ?? 500 };
    return call(async () => {
      const out: MachineTypeInfo[] = [];
      for await (const t of this.#machineTypes.listAsync(request, { autoPaginate: false })) out.push(toMachineType(t, zone));
      return out;
    });
  }

  async getDisk(zone: string, name: string): Promise<Disk | null> {
    const got = await orNull(call(() => this.#disks.get({ project: this.project, zone, disk: name })));
    return got ? toDisk(got[0]) : null;
  }

  async insertImage(req: InsertImageRequest): Promise<OperationRef> {
    const imageResource = { name: req.name, sourceDisk: diskPath(this.project, req.sourceDisk), description: req.description, labels: req.labels };
    const [lro] = await call(() => this.#diskImages.insert({ project: this.project, requestId: req.requestId, imageResource }));
    return toRef(lro);
  }

  async getImage(name: string): Promise<DiskImage | null> {
    const got = await orNull(call(() => this.#diskImages.get({ project: this.project, image: name })));
    return got ? toDiskImage(this.project, got[0]) : null;
  }

  async deleteImage(name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await call(() => this.#diskImages.delete({ project: this.project, image: name, requestId }));
    return toRef(lro);
  }

  async getOperation(op: OperationRef): Promise<OperationResult> {
    const [res] = await call(() =>
      op.zone
        ? this.#zoneOps.get({ project: this.project, zone: op.zone, operation: op.name })
        : this.#globalOps.get({ project: this.project, operation: op.name }),
    );
    return toOperationResult(res);
  }

  async #waitOnce(op: OperationRef, timeout: number): Promise<OperationResult> {
    const [res] = await call(() =>
      op.zone
        ? this.#zoneOps.wait({ project: this.project, zone: op.zone, operation: op.name }, { timeout })
        : this.#globalOps.wait({ project: this.project, operation: op.name }, { timeout }),
    );
    return toOperationResult(res);
  }

  async waitOperation(op: OperationRef, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<OperationResult> {
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    const perCall = this.#opts.waitCallTimeoutMs ?? 150_000;
    const minInterval = this.#opts.minWaitIntervalMs ?? 1_000;
    const signal = opts.signal;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      const started = Date.now();
      const remaining = deadline - started;
      if (remaining <= 0) throw new GcpError('unavailable', `Timed out waiting for operation ${op.name}`, { reason: 'timeout' });
      try {
        const res = await abortable(this.#waitOnce(op, Math.min(perCall, remaining)), signal);
        if (res.status === 'DONE') return res;
        failures = 0;
        const pause = Math.min(minInterval - (Date.now() - started), deadline - Date.now());
        if (pause > 0) await sleep(pause, signal);
      } catch (e) {
        if (!(e instanceof GcpError) || !e.retryable) throw e;
        await sleep(Math.min(backoffDelay(failures++, this.#opts.retry), Math.max(0, deadline - Date.now())), signal);
      }
    }
  }

  /** Release the clients' connections. */
  async close(): Promise<void> {
    await Promise.all([
      this.#instances.close(),
      this.#images.close(),
      this.#zoneOps.close(),
      this.#globalOps.close(),
      this.#diskImages.close(),
      this.#disks.close(),
      this.#machineTypes.close(),
    ]);
  }
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
