/**
 * machineTypes.list/get (zonal, read-only). Every zone offers the simulator's machine types, with the
 * sizes GCE gives them; the shape is GCE's MachineType resource (zone as a name, as GCE reports it).
 */
import { createHash } from 'node:crypto';
import { compileFilter } from './filter.ts';
import { notFound } from './errors.ts';
import { paginate } from './paging.ts';
import type { SimState } from './state.ts';
import type { Reply, Route, RouteContext } from './types.ts';
import { checkMaxResults, checkZone } from './validate.ts';

export interface GceMachineType {
  kind: 'compute#machineType';
  id: string;
  creationTimestamp: string;
  name: string;
  description: string;
  guestCpus: number;
  memoryMb: number;
  imageSpaceGb: number;
  maximumPersistentDisks: number;
  maximumPersistentDisksSizeGb: string;
  /** The zone's name, e.g. us-central1-a (GCE: "[Output Only] The name of the zone"). */
  zone: string;
  isSharedCpu: boolean;
  architecture?: string;
  selfLink: string;
}

interface Spec {
  guestCpus: number;
  memoryMb: number;
  isSharedCpu: boolean;
  description: string;
}

/** GCE's shared-core types: fractions of a core, sized by hand rather than by a family rule. */
const SHARED: Record<string, Spec> = {
  'e2-micro': { guestCpus: 2, memoryMb: 1024, isSharedCpu: true, description: 'Efficient Instance, 2 vCPU (1/4 shared physical core) and 1 GB RAM' },
  'e2-small': { guestCpus: 2, memoryMb: 2048, isSharedCpu: true, description: 'Efficient Instance, 2 vCPU (1/2 shared physical core) and 2 GB RAM' },
  'e2-medium': { guestCpus: 2, memoryMb: 4096, isSharedCpu: true, description: 'Efficient Instance, 2 vCPU (1 shared physical core) and 4 GB RAM' },
  'f1-micro': { guestCpus: 1, memoryMb: 614, isSharedCpu: true, description: '1 vCPU (shared physical core) and 0.6 GB RAM' },
  'g1-small': { guestCpus: 1, memoryMb: 1740, isSharedCpu: true, description: '1 vCPU (shared physical core) and 1.7 GB RAM' },
};

/** Memory per vCPU in MB by family and class (n1 is 3.75 GB per vCPU for standard, the rest 4). */
const PER_CPU: Record<string, number> = { standard: 4096, highmem: 8192, highcpu: 1024 };
const N1_PER_CPU: Record<string, number> = { standard: 3840, highmem: 6656, highcpu: 921.6 };

/** The size of a machine type by its name: `family-class-vcpus`, or a shared-core type. */
export function machineTypeSpec(name: string): Spec {
  const shared = SHARED[name];
  if (shared) return shared;
  const m = /^([a-z]\d[a-z]?)-(standard|highmem|highcpu)-(\d+)$/.exec(name);
  if (!m) return { guestCpus: 2, memoryMb: 8192, isSharedCpu: false, description: name };
  const [, family, cls, n] = m as unknown as [string, string, string, string];
  const cpus = Number(n);
  const memoryMb = Math.round(cpus * (family === 'n1' ? N1_PER_CPU[cls]! : PER_CPU[cls]!));
  const gb = Number((memoryMb / 1024).toFixed(2));
  const prefix = family === 'e2' ? 'Efficient Instance, ' : '';
  return { guestCpus: cpus, memoryMb, isSharedCpu: false, description: `${prefix}${cpus} vCPU${cpus > 1 ? 's' : ''}, ${gb} GB RAM` };
}

export class MachineTypes {
  readonly #s: SimState;

  constructor(state: SimState) {
    this.#s = state;
  }

  /** The machine types of a zone, as GCE returns them. */
  inZone(zone: string): GceMachineType[] {
    const s = this.#s;
    return [...s.machineTypes].sort().map((name) => {
      const spec = machineTypeSpec(name);
      return {
        kind: 'compute#machineType',
        id: String(parseInt(createHash('sha256').update(name).digest('hex').slice(0, 10), 16) % 1_000_000), // stable per type
        creationTimestamp: '1969-12-31T16:00:00.000-08:00', // what GCE reports for built-in types
        name,
        description: spec.description,
        guestCpus: spec.guestCpus,
        memoryMb: spec.memoryMb,
        imageSpaceGb: 0,
        maximumPersistentDisks: spec.isSharedCpu ? 16 : 128,
        maximumPersistentDisksSizeGb: spec.isSharedCpu ? '3072' : '263168',
        zone,
        isSharedCpu: spec.isSharedCpu,
        architecture: 'X86_64',
        selfLink: s.link('zones', zone, 'machineTypes', name),
      };
    });
  }

  #list(ctx: RouteContext): Reply {
    const s = this.#s;
    const zone = checkZone(s.zones, ctx.params.zone!);
    const match = compileFilter(ctx.query.get('filter'));
    const all = this.inZone(zone).filter((t) => match(t as never));
    const { page, nextPageToken } = paginate(all, checkMaxResults(ctx.query.get('maxResults')), ctx.query.get('pageToken'));
    // GCE leaves `items` out of an empty page.
    const body = {
      kind: 'compute#machineTypeList',
      id: s.path('zones', zone, 'machineTypes'),
      ...(page.length ? { items: page } : {}),
      selfLink: s.link('zones', zone, 'machineTypes'),
      nextPageToken,
    };
    return { status: 200, body };
  }

  #get(ctx: RouteContext): Reply {
    const s = this.#s;
    const zone = checkZone(s.zones, ctx.params.zone!);
    const found = this.inZone(zone).find((t) => t.name === ctx.params.name);
    if (!found) throw notFound(s.path('zones', zone, 'machineTypes', ctx.params.name!));
    return { status: 200, body: found };
  }

  routes(): Route[] {
    return [
      { httpMethod: 'GET', pattern: /^zones\/(?<zone>[^/]+)\/machineTypes$/, method: 'machineTypes.list', handle: (c) => this.#list(c) },
      { httpMethod: 'GET', pattern: /^zones\/(?<zone>[^/]+)\/machineTypes\/(?<name>[^/]+)$/, method: 'machineTypes.get', handle: (c) => this.#get(c) },
    ];
  }
}
