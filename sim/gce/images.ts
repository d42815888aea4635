/** images.list/get/insert/delete: images made from a disk (global resources, global operations). */
import { alreadyExists, GceHttpError, notFound, required } from './errors.ts';
import type { Disks } from './disks.ts';
import { DISK_BUSY_STATUSES } from './disks.ts';
import type { Faults } from './faults.ts';
import type { Operations } from './operations.ts';
import type { SimState } from './state.ts';
import type { Reply, Route, RouteContext } from './types.ts';
import { completeInsertLater, deleteResource, listResources, type Family, restoreResources } from './global-family.ts';
import { checkLabels, checkName } from './validate.ts';

export interface GceImage {
  kind: 'compute#image';
  id: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  labelFingerprint: string;
  status: 'PENDING' | 'READY' | 'FAILED' | 'DELETING';
  creationTimestamp: string;
  sourceType: 'RAW';
  sourceDisk?: string;
  sourceDiskId?: string;
  diskSizeGb: string;
  archiveSizeBytes: string;
  storageLocations: string[];
  selfLink: string;
}

export interface ImageSeed {
  name: string;
  description?: string;
  labels?: Record<string, string>;
  diskSizeGb?: number;
  status?: GceImage['status'];
  sourceDisk?: string;
}

export interface ImagesDeps {
  state: SimState;
  ops: Operations;
  faults: Faults;
  disks: Disks;
}

export class Images {
  readonly #d: ImagesDeps;
  readonly #byName = new Map<string, GceImage>();
  readonly #family: Family<GceImage> = {
    collection: 'images',
    listKind: 'compute#imageList',
    makingStatus: 'PENDING',
    byName: this.#byName,
    get: (name) => this.#get(name),
  };

  constructor(deps: ImagesDeps) {
    this.#d = deps;
  }

  /** Saved ones back (see restoreResources). */
  restore(saved: readonly GceImage[]): void {
    restoreResources(this.#family, saved);
  }

  all(): GceImage[] {
    return [...this.#byName.values()];
  }

  find(name: string): GceImage | undefined {
    return this.#byName.get(name);
  }

  /** Put an image in place directly (seeding); READY unless told otherwise. */
  add(seed: ImageSeed): GceImage {
    const s = this.#d.state;
    const labels = checkLabels('resource.labels', seed.labels ?? {});
    const sizeGb = seed.diskSizeGb ?? 10;
    const img: GceImage = {
      kind: 'compute#image',
      id: s.newId(),
      name: checkName('resource.name', seed.name),
      description: seed.description ?? '',
      labels,
      labelFingerprint: s.fingerprint(labels),
      status: seed.status ?? 'READY',
      creationTimestamp: s.timestamp(),
      sourceType: 'RAW',
      ...(seed.sourceDisk ? { sourceDisk: seed.sourceDisk } : {}),
      diskSizeGb: String(sizeGb),
      // A compressed image is a fraction of its disk; this is what GCE reports as archive size.
      archiveSizeBytes: String(Math.round(sizeGb * 1024 ** 3 * 0.18)),
      storageLocations: ['us'],
      selfLink: s.link('global', 'images', seed.name),
    };
    this.#byName.set(img.name, img);
    return img;
  }

  remove(name: string): boolean {
    return this.#byName.delete(name);
  }

  #get(name: string): GceImage {
    const img = this.#byName.get(name);
    if (!img) throw notFound(this.#d.state.path('global', 'images', name));
    return img;
  }

  #insert(ctx: RouteContext): Reply {
    const { state, ops, disks } = this.#d;
    return ops.idempotent(ctx.query, (requestId) => {
      const body = ctx.body;
      const name = checkName('resource.name', body.name);
      const labels = checkLabels('resource.labels', body.labels);
      const source = typeof body.sourceDisk === 'string' ? body.sourceDisk : '';
      if (!source) throw required('resource.sourceDisk');
      const where = disks.parse('resource.sourceDisk', source);
      const disk = disks.find(where.zone, where.name);
      if (!disk) throw notFound(state.path('zones', where.zone, 'disks', where.name));
      const user = disks.user(disk);
      if (user && DISK_BUSY_STATUSES.has(user.status) && ctx.query.get('forceCreate') !== 'true') {
        throw new GceHttpError(
          400,
          'resourceInUseByAnotherResource',
          `The disk resource '${state.path('zones', where.zone, 'disks', disk.name)}' is already being used by '${state.path('zones', where.zone, 'instances', user.name)}'`,
        );
      }
      if (this.#byName.has(name)) throw alreadyExists(state.path('global', 'images', name));

      const img = this.add({
        name,
        description: typeof body.description === 'string' ? body.description : '',
        labels,
        diskSizeGb: Number(disk.sizeGb),
        status: 'PENDING',
        sourceDisk: disk.selfLink,
      });
      img.sourceDiskId = disk.id;
      return completeInsertLater(this.#d, this.#family, img, requestId, where.zone);
    });
  }

  #delete(ctx: RouteContext): Reply {
    return deleteResource(this.#d, this.#family, ctx);
  }

  #list(ctx: RouteContext): Reply {
    return listResources(this.#d, this.#family, ctx);
  }

  routes(): Route[] {
    const one = /^global\/images\/(?<name>[^/]+)$/;
    return [
      { httpMethod: 'GET', pattern: /^global\/images$/, method: 'images.list', handle: (c) => this.#list(c) },
      { httpMethod: 'POST', pattern: /^global\/images$/, method: 'images.insert', handle: (c) => this.#insert(c) },
      { httpMethod: 'GET', pattern: one, method: 'images.get', handle: ({ params }) => ({ status: 200, body: this.#get(params.name!) }) },
      { httpMethod: 'DELETE', pattern: one, method: 'images.delete', handle: (c) => this.#delete(c) },
    ];
  }
}
