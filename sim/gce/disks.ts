/**
 * disks.get/list/delete. Every instance gets a boot disk named after it in its zone (what
 * instances.insert from a machine image does); the disk is derived from the instance's attached
 * disks, so it goes with the instance (autoDelete) without bookkeeping of its own.
 */
import { createHash } from 'node:crypto';
import { GceHttpError, notFound } from './errors.ts';
import { compileFilter } from './filter.ts';
import { zoneOf } from './instance-model.ts';
import { paginate } from './paging.ts';
import { lastSegment, type SimState } from './state.ts';
import type { GceInstance, Reply, Route, RouteContext } from './types.ts';
import { checkMaxResults, checkZone } from './validate.ts';

export interface GceDisk {
  kind: 'compute#disk';
  id: string;
  name: string;
  zone: string;
  sizeGb: string;
  status: 'CREATING' | 'RESTORING' | 'READY' | 'FAILED' | 'DELETING';
  type: string;
  labels: Record<string, string>;
  labelFingerprint: string;
  creationTimestamp: string;
  physicalBlockSizeBytes: string;
  /** Instances the disk is attached to (full URLs). */
  users: string[];
  selfLink: string;
}

export interface DisksDeps {
  state: SimState;
  instances: () => GceInstance[];
}

const DISK_PATH = /(?:^|\/)(?:projects\/([^/]+)\/)?zones\/([^/]+)\/disks\/([^/]+)$/;

/** A running (or starting, or stopping) VM holds its disks: GCE will not image them without forceCreate. */
export const DISK_BUSY_STATUSES = new Set(['PROVISIONING', 'STAGING', 'RUNNING', 'STOPPING', 'SUSPENDING', 'REPAIRING']);

export class Disks {
  readonly #d: DisksDeps;

  constructor(deps: DisksDeps) {
    this.#d = deps;
  }

  all(): GceDisk[] {
    return this.#d.instances().flatMap((inst) => this.#disksOf(inst));
  }

  find(zone: string, name: string): GceDisk | undefined {
    return this.all().find((d) => lastSegment(d.zone) === zone && d.name === name);
  }

  /** The instance a disk is attached to, if any. */
  user(disk: GceDisk): GceInstance | undefined {
    const url = disk.users[0];
    return url ? this.#d.instances().find((i) => i.selfLink === url) : undefined;
  }

  /** `projects/P/zones/Z/disks/N`, `zones/Z/disks/N` or a full URL → where the disk is; 404 for another project. */
  parse(field: string, value: string): { zone: string; name: string } {
    const m = DISK_PATH.exec(value);
    if (!m) throw new GceHttpError(400, 'invalid', `Invalid value for field '${field}': '${value}'. The URL is malformed.`);
    if (m[1] && m[1] !== this.#d.state.project) throw notFound(`projects/${m[1]}/zones/${m[2]}/disks/${m[3]}`);
    return { zone: m[2]!, name: m[3]! };
  }

  #disksOf(inst: GceInstance): GceDisk[] {
    const s = this.#d.state;
    const zone = zoneOf(inst);
    return inst.disks
      .filter((a) => typeof a.source === 'string')
      .map((a) => {
        const name = lastSegment(a.source as string);
        return {
          kind: 'compute#disk',
          id: stableId(`${inst.id}/${name}`),
          name,
          zone: s.link('zones', zone),
          sizeGb: String(a.diskSizeGb ?? '10'),
          status: 'READY',
          type: s.link('zones', zone, 'diskTypes', 'pd-balanced'),
          labels: {},
          labelFingerprint: s.fingerprint({}),
          creationTimestamp: inst.creationTimestamp,
          physicalBlockSizeBytes: '4096',
          users: [inst.selfLink],
          selfLink: s.link('zones', zone, 'disks', name),
        };
      });
  }

  #get(zone: string, name: string): GceDisk {
    const disk = this.find(zone, name);
    if (!disk) throw notFound(this.#d.state.path('zones', zone, 'disks', name));
    return disk;
  }

  #list(ctx: RouteContext): Reply {
    const s = this.#d.state;
    const zone = checkZone(s.zones, ctx.params.zone!);
    const match = compileFilter(ctx.query.get('filter'));
    const all = this.all()
      .filter((d) => lastSegment(d.zone) === zone && match(d))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextPageToken } = paginate(all, checkMaxResults(ctx.query.get('maxResults')), ctx.query.get('pageToken'));
    return {
      status: 200,
      body: { kind: 'compute#diskList', id: s.path('zones', zone, 'disks'), items: page, selfLink: s.link('zones', zone, 'disks'), nextPageToken },
    };
  }

  /** Every disk here is attached (boot disks of instances): GCE refuses to delete a disk in use. */
  #delete(ctx: RouteContext): Reply {
    const s = this.#d.state;
    const zone = checkZone(s.zones, ctx.params.zone!);
    const disk = this.#get(zone, ctx.params.name!);
    const user = this.user(disk);
    throw new GceHttpError(
      400,
      'resourceInUseByAnotherResource',
      `The disk resource '${s.path('zones', zone, 'disks', disk.name)}' is already being used by '${user ? s.path('zones', zone, 'instances', user.name) : 'an instance'}'`,
    );
  }

  routes(): Route[] {
    const s = this.#d.state;
    const one = /^zones\/(?<zone>[^/]+)\/disks\/(?<name>[^/]+)$/;
    return [
      { httpMethod: 'GET', pattern: /^zones\/(?<zone>[^/]+)\/disks$/, method: 'disks.list', handle: (c) => this.#list(c) },
      {
        httpMethod: 'GET',
        pattern: one,
        method: 'disks.get',
        handle: ({ params }) => ({ status: 200, body: this.#get(checkZone(s.zones, params.zone!), params.name!) }),
      },
      { httpMethod: 'DELETE', pattern: one, method: 'disks.delete', handle: (c) => this.#delete(c) },
    ];
  }
}

function stableId(key: string): string {
  const n = BigInt(`0x${createHash('sha256').update(key).digest('hex').slice(0, 15)}`);
  return ((n % 9_000_000_000_000_000_000n) + 1_000_000_000_000_000_000n).toString();
}
