/** machineImages.list/get/insert/delete (global resources, global operations). */
import { regionOfZone } from '../../src/platform/compute/port.ts';
import { alreadyExists, invalidField, notFound } from './errors.ts';
import type { Faults } from './faults.ts';
import type { Operations } from './operations.ts';
import { lastSegment, type SimState } from './state.ts';
import type { GceInstance, GceMachineImage, GceVmProperties, Reply, Route, RouteContext } from './types.ts';
import { defaultNic, defaultVmProperties } from './instance-model.ts';
import { completeInsertLater, deleteResource, listResources, restoreResources, type Family } from './global-family.ts';
import { checkLabels, checkName } from './validate.ts';

export interface MachineImagesDeps {
  state: SimState;
  ops: Operations;
  faults: Faults;
  findInstance: (zone: string, name: string) => GceInstance | undefined;
}

export interface MachineImageSeed {
  name: string;
  description?: string;
  labels?: Record<string, string>;
  machineType?: string;
  sourceInstance?: string;
  status?: GceMachineImage['status'];
  totalStorageBytes?: number;
  creationTimestamp?: string;
  /** Where it is stored; by default, as GCE does, the multi-region nearest its source instance. */
  storageLocations?: string[];
  /** Metadata items its VMs get (e.g. a startup-script). */
  metadata?: Record<string, string>;
  /** Network tags its VMs get. */
  tags?: string[];
  /** The service account its VMs run as (none by default). */
  serviceAccount?: { email: string; scopes: string[] };
}

const INSTANCE_PATH = /(?:^|\/)zones\/([^/]+)\/instances\/([^/]+)$/;

/** GCE's default storage location: the multi-region of the source's region (us-central1-a → us). */
export function defaultStorageLocation(sourceInstance: string | undefined): string {
  const zone = sourceInstance ? INSTANCE_PATH.exec(sourceInstance)?.[1] : undefined;
  if (!zone) return 'us';
  if (zone.startsWith('europe-')) return 'eu';
  if (zone.startsWith('asia-')) return 'asia';
  if (zone.startsWith('us-')) return 'us';
  return regionOfZone(zone); // no multi-region there: the region itself
}

function seedProperties(s: SimState, seed: MachineImageSeed): GceVmProperties {
  const base = defaultVmProperties(s);
  const items = Object.entries(seed.metadata ?? {}).map(([key, value]) => ({ key, value }));
  return {
    ...base,
    metadata: { ...base.metadata, items },
    tags: { ...base.tags, items: seed.tags ?? [] },
    serviceAccounts: seed.serviceAccount ? [seed.serviceAccount] : [],
  };
}

export class MachineImages {
  readonly #d: MachineImagesDeps;
  readonly #byName = new Map<string, GceMachineImage>();
  readonly #family: Family<GceMachineImage> = {
    collection: 'machineImages',
    listKind: 'compute#machineImageList',
    makingStatus: 'CREATING',
    byName: this.#byName,
    get: (name) => this.#get(name),
  };

  constructor(deps: MachineImagesDeps) {
    this.#d = deps;
  }

  /** Saved ones back (see restoreResources). */
  restore(saved: readonly GceMachineImage[]): void {
    restoreResources(this.#family, saved);
  }

  all(): GceMachineImage[] {
    return [...this.#byName.values()];
  }

  find(name: string): GceMachineImage | undefined {
    return this.#byName.get(name);
  }

  /** Put a machine image in place directly (seeding); READY unless told otherwise. */
  add(seed: MachineImageSeed): GceMachineImage {
    const s = this.#d.state;
    const labels = checkLabels('resource.labels', seed.labels ?? {});
    const img: GceMachineImage = {
      kind: 'compute#machineImage',
      id: s.newId(),
      name: checkName('resource.name', seed.name),
      description: seed.description ?? '',
      labels,
      labelFingerprint: s.fingerprint(labels),
      status: seed.status ?? 'READY',
      creationTimestamp: seed.creationTimestamp ?? s.timestamp(),
      ...(seed.sourceInstance ? { sourceInstance: seed.sourceInstance } : {}),
      sourceInstanceProperties: {
        description: seed.description ?? '',
        machineType: seed.machineType ?? 'e2-medium',
        labels: {},
        disks: [
          {
            kind: 'compute#savedAttachedDisk',
            boot: true,
            autoDelete: true,
            deviceName: 'persistent-disk-0',
            diskSizeGb: '20',
            mode: 'READ_WRITE',
            type: 'PERSISTENT',
          },
        ],
        networkInterfaces: [{ kind: 'compute#networkInterface', name: 'nic0', network: s.link('global', 'networks', 'default') }],
      },
      instanceProperties: {
        ...seedProperties(s, seed),
        machineType: seed.machineType ?? 'e2-medium',
        labels: {},
        // Its interface is on the subnet of its source VM's region: VMs made from it elsewhere need another.
        networkInterfaces: [defaultNic(s, regionOfZone(INSTANCE_PATH.exec(seed.sourceInstance ?? '')?.[1] ?? 'us-central1-a'))],
      },
      storageLocations: seed.storageLocations ?? [defaultStorageLocation(seed.sourceInstance)],
      totalStorageBytes: String(seed.totalStorageBytes ?? 4_194_304_000),
      selfLink: s.link('global', 'machineImages', seed.name),
    };
    this.#byName.set(img.name, img);
    return img;
  }

  remove(name: string): boolean {
    return this.#byName.delete(name);
  }

  #get(name: string): GceMachineImage {
    const img = this.#byName.get(name);
    if (!img) throw notFound(this.#d.state.path('global', 'machineImages', name));
    return img;
  }

  #insert(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    return ops.idempotent(ctx.query, (requestId) => {
      const body = ctx.body;
      const name = checkName('resource.name', body.name);
      const labels = checkLabels('resource.labels', body.labels);
      const source = typeof body.sourceInstance === 'string' ? body.sourceInstance : '';
      const m = INSTANCE_PATH.exec(source);
      if (!m) throw invalidField('resource.sourceInstance', source, 'The URL is malformed.');
      const [zone, instanceName] = [m[1]!, m[2]!];
      const instance = this.#d.findInstance(zone, instanceName);
      if (!instance) throw notFound(state.path('zones', zone, 'instances', instanceName));
      if (this.#byName.has(name)) throw alreadyExists(state.path('global', 'machineImages', name));

      const img = this.add({
        name,
        description: typeof body.description === 'string' ? body.description : '',
        labels,
        machineType: lastSegment(instance.machineType),
        sourceInstance: instance.selfLink,
        status: 'CREATING',
        ...(Array.isArray(body.storageLocations) && body.storageLocations.length ? { storageLocations: body.storageLocations.map(String) } : {}),
      });
      img.sourceInstanceProperties.labels = { ...instance.labels };
      img.sourceInstanceProperties.description = instance.description;
      // The VM as it is, minus what belongs to it alone (its IPs).
      const { metadata, tags, serviceAccounts, scheduling, networkInterfaces } = structuredClone(instance);
      for (const nic of networkInterfaces) {
        delete nic.networkIP;
        for (const a of nic.accessConfigs) delete a.natIP;
      }
      img.instanceProperties = { ...img.instanceProperties, metadata, tags, serviceAccounts, scheduling, networkInterfaces, labels: { ...instance.labels } };
      const ms = state.timing.realistic ? state.timing.machineImageMs(instance) : state.operationMs;
      return completeInsertLater(this.#d, this.#family, img, requestId, zone, ms);
    });
  }

  #delete(ctx: RouteContext): Reply {
    return deleteResource(this.#d, this.#family, ctx);
  }

  #list(ctx: RouteContext): Reply {
    return listResources(this.#d, this.#family, ctx);
  }

  routes(): Route[] {
    const one = /^global\/machineImages\/(?<name>[^/]+)$/;
    return [
      { httpMethod: 'GET', pattern: /^global\/machineImages$/, method: 'machineImages.list', handle: (c) => this.#list(c) },
      { httpMethod: 'POST', pattern: /^global\/machineImages$/, method: 'machineImages.insert', handle: (c) => this.#insert(c) },
      { httpMethod: 'GET', pattern: one, method: 'machineImages.get', handle: ({ params }) => ({ status: 200, body: this.#get(params.name!) }) },
      { httpMethod: 'DELETE', pattern: one, method: 'machineImages.delete', handle: (c) => this.#delete(c) },
    ];
  }
}
