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
  type MachineImage,
  type MachineTypeInfo,
  type OperationRef,
  type OperationResult,
  type Page,
} from './port.ts';
import { diskPath, toDisk, toDiskImage } from './gce-images.ts';
import { text, toInstance, toMachineImage, toMachineType, toOperationResult, toRef } from './gce-shapes.ts';
import { overrides, withRunLimit } from './gce-overrides.ts';
import { backoffDelay, sleep, type RetryOptions } from './retry.ts';
import { clientOptions } from './gce-endpoint.ts';
import { toGcpError } from './gce-errors.ts';
import type { RequestTap } from '../request-log.ts';

export { backoffDelay, retryTransient, type RetryOptions } from './retry.ts';

type IInstanceAggregatedList = protos.google.cloud.compute.v1.IInstanceAggregatedList;
type IInstanceProperties = protos.google.cloud.compute.v1.IInstanceProperties;

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
  /** Sees every request object handed to a client, before the library serialises it (the schema contract test). */
  onRequest?: RequestTap;
}

const V1 = 'google.cloud.compute.v1';

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

  /** Hand `request` to a client call, showing it to the request tap first. */
  #send<R extends object, T>(service: string, method: string, request: R, fn: (request: R) => Promise<T>): Promise<T> {
    this.#opts.onRequest?.(`${V1}.${service}`, method, request);
    return call(() => fn(request));
  }

  async listMachineImages(opts: { filter?: string; pageToken?: string; maxResults?: number } = {}): Promise<Page<MachineImage>> {
    const [items, , raw] = await this.#send('MachineImages', 'list', { project: this.project, ...opts }, (r) => this.#images.list(r, { autoPaginate: false }));
    return { items: items.map((m) => toMachineImage(this.project, m)), nextPageToken: text(raw?.nextPageToken) };
  }

  async getMachineImage(name: string): Promise<MachineImage | null> {
    const got = await orNull(this.#send('MachineImages', 'get', { project: this.project, machineImage: name }, (r) => this.#images.get(r)));
    return got ? toMachineImage(this.project, got[0]) : null;
  }

  async insertMachineImage(req: InsertMachineImageRequest): Promise<OperationRef> {
    const sourceInstance = `projects/${this.project}/zones/${req.sourceInstance.zone}/instances/${req.sourceInstance.name}`;
    const machineImageResource = { name: req.name, sourceInstance, description: req.description, labels: req.labels };
    const [lro] = await this.#send('MachineImages', 'insert', { project: this.project, requestId: req.requestId, machineImageResource }, (r) =>
      this.#images.insert(r),
    );
    return toRef(lro);
  }

  async deleteMachineImage(name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('MachineImages', 'delete', { project: this.project, machineImage: name, requestId }, (r) => this.#images.delete(r));
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
    const extra = req.placement ? overrides(await this.#instanceProperties(sourceMachineImage), req.placement) : {};
    const instanceResource = { name: req.name, labels: req.labels, sourceMachineImage, ...(machineType ? { machineType } : {}), ...extra };
    const [lro] = await this.#send('Instances', 'insert', { project: this.project, zone: req.zone, requestId: req.requestId, instanceResource }, (r) =>
      this.#instances.insert(r),
    );
    return toRef(lro, req.zone);
  }

  /** The instance properties a machine image (`projects/P/global/machineImages/N`) gives its VMs. */
  async #instanceProperties(path: string): Promise<IInstanceProperties> {
    const [, project = this.project, name = ''] = /^projects\/([^/]+)\/global\/machineImages\/([^/]+)$/.exec(path) ?? [];
    const [image] = await this.#send('MachineImages', 'get', { project, machineImage: name }, (r) => this.#images.get(r));
    return image.instanceProperties ?? {};
  }

  async setMaxRunDuration(req: { zone: string; name: string; seconds: number; requestId: string }): Promise<OperationRef> {
    // setScheduling replaces the whole Scheduling: keep what the VM has, change the run limit.
    const [current] = await this.#send('Instances', 'get', { project: this.project, zone: req.zone, instance: req.name }, (r) => this.#instances.get(r));
    const request = {
      project: this.project,
      zone: req.zone,
      instance: req.name,
      requestId: req.requestId,
      schedulingResource: withRunLimit(current.scheduling, req.seconds),
    };
    const [lro] = await this.#send('Instances', 'setScheduling', request, (r) => this.#instances.setScheduling(r));
    return toRef(lro, req.zone);
  }

  async setServiceAccount(req: { zone: string; name: string; account: { email: string; scopes: string[] } | null; requestId: string }): Promise<OperationRef> {
    // An empty body (no email, no scopes) is what `gcloud compute instances set-service-account --no-service-account --no-scopes` sends.
    const instancesSetServiceAccountRequestResource = req.account ? { email: req.account.email, scopes: req.account.scopes } : {};
    const request = { project: this.project, zone: req.zone, instance: req.name, requestId: req.requestId, instancesSetServiceAccountRequestResource };
    const [lro] = await this.#send('Instances', 'setServiceAccount', request, (r) => this.#instances.setServiceAccount(r));
    return toRef(lro, req.zone);
  }

  async getInstance(zone: string, name: string): Promise<Instance | null> {
    const got = await orNull(this.#send('Instances', 'get', { project: this.project, zone, instance: name }, (r) => this.#instances.get(r)));
    return got ? toInstance(got[0]) : null;
  }

  async listInstances(opts: { filter?: string; pageToken?: string; maxResults?: number } = {}): Promise<Page<Instance>> {
    // The client only offers aggregatedList as an auto-paging iterator, which hides nextPageToken;
    // its inner call with autoPaginate: false returns one page and the raw response.
    await this.#instances.initialize();
    const inner = this.#instances.innerApiCalls.aggregatedList as (req: object, o: object) => Promise<[unknown, unknown, IInstanceAggregatedList]>;
    const [, , raw] = await this.#send('Instances', 'aggregatedList', { project: this.project, ...opts }, (r) => inner(r, { autoPaginate: false }));
    const items = Object.values(raw?.items ?? {}).flatMap((scoped) => (scoped.instances ?? []).map(toInstance));
    return { items, nextPageToken: text(raw?.nextPageToken) };
  }

  async stopInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('Instances', 'stop', { project: this.project, zone, instance: name, requestId }, (r) => this.#instances.stop(r));
    return toRef(lro, zone);
  }

  async startInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('Instances', 'start', { project: this.project, zone, instance: name, requestId }, (r) => this.#instances.start(r));
    return toRef(lro, zone);
  }

  async deleteInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('Instances', 'delete', { project: this.project, zone, instance: name, requestId }, (r) => this.#instances.delete(r));
    return toRef(lro, zone);
  }

  async suspendInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('Instances', 'suspend', { project: this.project, zone, instance: name, requestId }, (r) => this.#instances.suspend(r));
    return toRef(lro, zone);
  }

  async resumeInstance(zone: string, name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('Instances', 'resume', { project: this.project, zone, instance: name, requestId }, (r) => this.#instances.resume(r));
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
    const request = { project: this.project, zone: req.zone, instance: req.name, requestId: req.requestId, instancesSetLabelsRequestResource };
    const [lro] = await this.#send('Instances', 'setLabels', request, (r) => this.#instances.setLabels(r));
    return toRef(lro, req.zone);
  }

  async listMachineTypes(zone: string): Promise<MachineTypeInfo[]> {
    // listAsync follows nextPageToken itself, one request per page (autoPaginate: false is what the
    // async iterator does anyway; saying so keeps gax from warning that it ignores the default).
    const request = { project: this.project, zone, maxResults: this.#opts.listPageSize ?? 500 };
    this.#opts.onRequest?.(`${V1}.MachineTypes`, 'listAsync', request);
    return call(async () => {
      const out: MachineTypeInfo[] = [];
      for await (const t of this.#machineTypes.listAsync(request, { autoPaginate: false })) out.push(toMachineType(t, zone));
      return out;
    });
  }

  async getDisk(zone: string, name: string): Promise<Disk | null> {
    const got = await orNull(this.#send('Disks', 'get', { project: this.project, zone, disk: name }, (r) => this.#disks.get(r)));
    return got ? toDisk(got[0]) : null;
  }

  async insertImage(req: InsertImageRequest): Promise<OperationRef> {
    const imageResource = { name: req.name, sourceDisk: diskPath(this.project, req.sourceDisk), description: req.description, labels: req.labels };
    const [lro] = await this.#send('Images', 'insert', { project: this.project, requestId: req.requestId, imageResource }, (r) => this.#diskImages.insert(r));
    return toRef(lro);
  }

  async getImage(name: string): Promise<DiskImage | null> {
    const got = await orNull(this.#send('Images', 'get', { project: this.project, image: name }, (r) => this.#diskImages.get(r)));
    return got ? toDiskImage(this.project, got[0]) : null;
  }

  async deleteImage(name: string, requestId: string): Promise<OperationRef> {
    const [lro] = await this.#send('Images', 'delete', { project: this.project, image: name, requestId }, (r) => this.#diskImages.delete(r));
    return toRef(lro);
  }

  async getOperation(op: OperationRef): Promise<OperationResult> {
    const [res] = op.zone
      ? await this.#send('ZoneOperations', 'get', { project: this.project, zone: op.zone, operation: op.name }, (r) => this.#zoneOps.get(r))
      : await this.#send('GlobalOperations', 'get', { project: this.project, operation: op.name }, (r) => this.#globalOps.get(r));
    return toOperationResult(res);
  }

  async #waitOnce(op: OperationRef, timeout: number): Promise<OperationResult> {
    const [res] = op.zone
      ? await this.#send('ZoneOperations', 'wait', { project: this.project, zone: op.zone, operation: op.name }, (r) => this.#zoneOps.wait(r, { timeout }))
      : await this.#send('GlobalOperations', 'wait', { project: this.project, operation: op.name }, (r) => this.#globalOps.wait(r, { timeout }));
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
