/**
 * A local Compute Engine: the v1 REST subset demo-vm uses (instances, machine images, machine types, zone and global
 * operations), spoken over HTTP so the real @google-cloud/compute clients drive it. Used by tests and by
 * local mode. Resource families live one per file; add images/disks the same way (a class with routes()).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Disks, type GceDisk } from './disks.ts';
import { Faults, type FaultSpec, type OperationErrorSpec } from './faults.ts';
import { type GceImage, type ImageSeed, Images } from './images.ts';
import { Instances } from './instances.ts';
import { type MachineImageSeed, MachineImages } from './machine-images.ts';
import { type GceMachineType, MachineTypes } from './machine-types.ts';
import { Operations } from './operations.ts';
import { VmApps } from './vm-apps.ts';
import { SAMPLE_MACHINE_IMAGES } from './samples.ts';
import { createHandler, type RecordedRequest } from './server.ts';
import { type GceSimulatorOptions, SimState } from './state.ts';
import type { AppReach } from '../../src/platform/app-reach.ts';
import { FakeMonitoring } from '../monitoring/index.ts';
import type { GceInstance, GceInstanceStatus, GceMachineImage, GceOperation } from './types.ts';

export interface GceSnapshot {
  instances: GceInstance[];
  machineImages: GceMachineImage[];
  images: GceImage[];
  operations: GceOperation[];
  nextInternal: number;
  /** zone/name → the port its app answered on. */
  appPorts: Array<[string, number]>;
}

export class GceSimulator {
  readonly #state: SimState;
  readonly #faults = new Faults();
  readonly #ops: Operations;
  readonly #instances: Instances;
  readonly #images: MachineImages;
  readonly #disks: Disks;
  readonly #diskImages: Images;
  readonly #machineTypes: MachineTypes;
  readonly #requests: RecordedRequest[] = [];
  readonly #apps: VmApps;
  /** Cloud Monitoring beside GCE (same server, `/v3/…`): the VMs' CPU and network series, from activity plans. */
  readonly monitoring: FakeMonitoring;
  /** A node:http request listener, to mount the simulator in another server. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  #server?: Server;
  #url?: string;

  constructor(opts: GceSimulatorOptions = {}) {
    const state = new SimState(opts);
    this.#state = state;
    this.#ops = new Operations(state);
    this.#images = new MachineImages({ state, ops: this.#ops, faults: this.#faults, findInstance: (z, n) => this.#instances.find(z, n) });
    this.#instances = new Instances({ state, ops: this.#ops, faults: this.#faults, findMachineImage: (n) => this.#images.find(n) });
    this.#disks = new Disks({ state, instances: () => this.#instances.all() });
    this.#diskImages = new Images({ state, ops: this.#ops, faults: this.#faults, disks: this.#disks });
    this.#machineTypes = new MachineTypes(state);
    this.#apps = new VmApps((n) => this.#images.find(n));
    this.monitoring = new FakeMonitoring({ project: state.project, now: state.now, ...opts.monitoring });
    state.instanceChanged = (res, gone) => {
      this.#apps.changed(res, gone);
      this.monitoring.statusChanged(res, gone);
    };
    state.appHeld = (res, held) => this.#apps.hold(res, held);
    const compute = createHandler({
      project: state.project,
      routes: [
        ...this.#instances.routes(),
        ...this.#images.routes(),
        ...this.#disks.routes(),
        ...this.#diskImages.routes(),
        ...this.#machineTypes.routes(),
        ...this.#ops.routes(),
      ],
      faults: this.#faults,
      requests: this.#requests,
      now: state.now,
      responseLog: opts.responseLog ?? process.env.DEMO_VM_CONTRACT_LOG,
    });
    this.handler = (req, res) => {
      if (!this.monitoring.handle(req, res)) compute(req, res);
    };
  }

  /** Where each running VM's app answers (a port of its own on 127.0.0.1), and the only targets a probe may fetch. */
  get appReach(): AppReach {
    return this.#apps.reach;
  }

  /** Requests the VMs' app pages received: `vm` is zone/name. */
  get appRequests(): ReadonlyArray<{ vm: string; path: string }> {
    return this.#apps.requests;
  }

  get project(): string {
    return this.#state.project;
  }
  get zones(): readonly string[] {
    return this.#state.zones;
  }
  /** `http://host:port` once listening. */
  get url(): string {
    if (!this.#url) throw new Error('GceSimulator is not listening');
    return this.#url;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number; host: string }> {
    const server = createServer(this.handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const addr = server.address() as AddressInfo;
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    return { url: this.#url, port: addr.port, host };
  }

  /** Stop every timer, answer pending waits, and close the server. */
  async close(): Promise<void> {
    this.#state.timers.stop();
    this.#ops.wakeAll();
    this.#apps.closeAll();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise((r) => setImmediate(r)); // let woken waits write their answers
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  // --- what the simulated project holds (GCE JSON shapes) ---
  get instances(): GceInstance[] {
    return this.#instances.all();
  }
  get machineImages(): GceMachineImage[] {
    return this.#images.all();
  }
  /** Images (made from disks; not machine images). */
  get images(): GceImage[] {
    return this.#diskImages.all();
  }
  /** Boot disks of the instances (they go with their instance). */
  get disks(): GceDisk[] {
    return this.#disks.all();
  }
  /** The machine types a zone offers (GCE's MachineType resources). */
  machineTypes(zone: string): GceMachineType[] {
    return this.#machineTypes.inZone(zone);
  }
  image(name: string): GceImage | undefined {
    return this.#diskImages.find(name);
  }
  disk(zone: string, name: string): GceDisk | undefined {
    return this.#disks.find(zone, name);
  }
  addImage(seed: ImageSeed): GceImage {
    return this.#diskImages.add(seed);
  }
  get operations(): GceOperation[] {
    return this.#ops.all();
  }
  /** Every request received, in order (method, path, requestId, status…). */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }
  /** Timers still scheduled (operations in flight, pending waits); 0 after close(). */
  get pendingTimers(): number {
    return this.#state.timers.size;
  }
  requestsFor(method: string): RecordedRequest[] {
    return this.#requests.filter((r) => r.method === method);
  }
  clearRequests(): void {
    this.#requests.length = 0;
  }
  instance(zone: string, name: string): GceInstance | undefined {
    return this.#instances.find(zone, name);
  }
  machineImage(name: string): GceMachineImage | undefined {
    return this.#images.find(name);
  }
  operation(name: string): GceOperation | undefined {
    return this.#ops.get(name);
  }

  // --- local mode keeps the project across restarts ---
  /** Everything the simulated project holds, as JSON. */
  snapshot(): GceSnapshot {
    return {
      instances: this.instances,
      machineImages: this.machineImages,
      images: this.images,
      operations: this.operations,
      nextInternal: this.#state.nextInternal,
      appPorts: [...this.#apps.ports],
    };
  }

  /** Into a new simulator: what was in flight when the snapshot was taken has finished meanwhile. */
  restore(saved: GceSnapshot): void {
    const deleting = new Set(saved.operations.filter((o) => o.status !== 'DONE' && o.operationType === 'delete').map((o) => o.targetId));
    this.#state.nextInternal = saved.nextInternal;
    for (const [vm, port] of saved.appPorts) this.#apps.ports.set(vm, port);
    this.#ops.restore(saved.operations);
    this.#images.restore(saved.machineImages);
    this.#diskImages.restore(saved.images);
    this.#instances.restore(saved.instances.filter((i) => !deleting.has(i.id)));
  }

  // --- seeding ---
  addMachineImage(seed: MachineImageSeed): GceMachineImage {
    return this.#images.add(seed);
  }
  addInstance(args: Parameters<Instances['add']>[0]): GceInstance {
    return this.#instances.add(args);
  }
  /** A few realistic catalog images (labelled demo-vm-catalog=true, see samples.ts) and some others. */
  seedSampleImages(): GceMachineImage[] {
    return SAMPLE_MACHINE_IMAGES.filter((s) => !this.#images.find(s.name)).map((s) =>
      this.#images.add({ ...s, sourceInstance: s.sourceInstance?.replace('/projects/demo-project/', `/projects/${this.project}/`) }),
    );
  }

  // --- changes behind the app's back ---
  setInstanceStatus(zone: string, name: string, status: GceInstanceStatus): void {
    this.#instances.setStatus(zone, name, status);
  }
  /** Attach GPUs to a VM behind the app's back (GCE then refuses to suspend it). */
  attachGpus(zone: string, name: string, acceleratorType = 'nvidia-tesla-t4', acceleratorCount = 1): void {
    const res = this.#instances.find(zone, name);
    if (!res) throw new Error(`no instance ${zone}/${name}`);
    res.guestAccelerators = [{ acceleratorType: this.#state.link('zones', zone, 'acceleratorTypes', acceleratorType), acceleratorCount }];
  }
  stopInstanceNow(zone: string, name: string): void {
    this.#instances.setStatus(zone, name, 'TERMINATED');
  }
  deleteInstanceNow(zone: string, name: string): boolean {
    return this.#instances.remove(zone, name);
  }
  /** Stop every VM whose run limit (scheduling.maxRunDuration, STOP) has passed by the simulator's clock, as GCE would have. */
  enforceRunLimits(): void {
    this.#instances.enforceRunLimits();
  }
  /** Stop every VM suspended for longer than GCE allows (60 days) by the simulator's clock, as GCE would have. */
  enforceSuspendLimits(): void {
    this.#instances.enforceSuspendLimits();
  }
  deleteMachineImageNow(name: string): boolean {
    return this.#images.remove(name);
  }

  // --- faults and timing ---
  /** The next `times` matching requests are refused at once (quota 403, 429, 503, 403 forbidden…). */
  injectFault(spec: FaultSpec): void {
    this.#faults.inject(spec);
  }
  /** The next `times` matching calls are accepted, then their operation ends DONE with this error code. */
  injectOperationError(spec: OperationErrorSpec): void {
    this.#faults.injectOperationError(spec);
  }
  clearFaults(): void {
    this.#faults.clear();
  }
  /**
   * Test hook: end a running operation DONE now (one held by a long operationMs), answering its waits.
   * Only the operation: the resource it acts on is left as it is.
   */
  finishOperation(name: string): boolean {
    return this.#ops.finishNamed(name);
  }
  /** From now on a resumed VM gets a new ephemeral external IP (or keeps its own: false). */
  setNewIpOnResume(on: boolean): void {
    this.#state.newIpOnResume = on;
  }
  setTiming(t: { operationMs?: number; bootMs?: number; maxWaitMs?: number }): void {
    if (t.operationMs !== undefined) this.#state.operationMs = t.operationMs;
    if (t.bootMs !== undefined) this.#state.bootMs = t.bootMs;
    if (t.maxWaitMs !== undefined) this.#state.maxWaitMs = t.maxWaitMs;
  }
}
