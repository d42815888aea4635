/**
 * What global resource families (machine images, images) do alike: an insert that completes after the
 * operation time, a delete refused while the resource is still being made, and a filtered, paged list.
 */
import { GceHttpError } from './errors.ts';
import type { Faults } from './faults.ts';
import { compileFilter } from './filter.ts';
import type { Operations } from './operations.ts';
import { paginate } from './paging.ts';
import type { SimState } from './state.ts';
import type { Reply, RouteContext } from './types.ts';
import { checkMaxResults } from './validate.ts';

interface GlobalResource {
  name: string;
  id: string;
  selfLink: string;
  status: string;
}

export interface FamilyDeps {
  state: SimState;
  ops: Operations;
  faults: Faults;
}

export interface Family<R extends GlobalResource> {
  /** URL collection name: machineImages, images. */
  collection: string;
  /** List kind: compute#machineImageList, compute#imageList. */
  listKind: string;
  /** Status while being created (CREATING, PENDING): not deletable yet. */
  makingStatus: string;
  byName: Map<string, R>;
  get(name: string): R;
}

/**
 * Put saved resources back (local mode's restart): one still being made has been made meanwhile, one
 * being deleted is gone — the simulated cloud kept working while the app was down.
 */
export function restoreResources<R extends GlobalResource>(f: Family<R>, saved: readonly R[]): void {
  for (const res of saved) if (res.status !== 'DELETING') f.byName.set(res.name, { ...res, status: res.status === f.makingStatus ? 'READY' : res.status });
}

/** The insert operation: READY after `ms` (the operation time by default), or gone if the operation was told to fail. */
export function completeInsertLater<R extends GlobalResource>(
  d: FamilyDeps,
  f: Family<R>,
  res: R,
  requestId: string | undefined,
  zone?: string,
  ms = d.state.operationMs,
): ReturnType<Operations['start']> {
  const op = d.ops.start({ operationType: 'insert', targetLink: res.selfLink, targetId: res.id, requestId });
  const failure = d.faults.takeOperationError(`${f.collection}.insert`, d.state.project, zone);
  d.state.timers.after(ms, () => {
    if (failure) f.byName.delete(res.name);
    else if (f.byName.get(res.name) === res) res.status = 'READY';
    d.ops.finish(op, failure);
  });
  return op;
}

export function deleteResource<R extends GlobalResource>(d: FamilyDeps, f: Family<R>, ctx: RouteContext): Reply {
  return d.ops.idempotent(ctx.query, (requestId) => {
    const res = f.get(ctx.params.name!);
    if (res.status === f.makingStatus) {
      throw new GceHttpError(400, 'resourceNotReady', `The resource '${d.state.path('global', f.collection, res.name)}' is not ready`);
    }
    const op = d.ops.start({ operationType: 'delete', targetLink: res.selfLink, targetId: res.id, requestId });
    const failure = d.faults.takeOperationError(`${f.collection}.delete`, d.state.project, undefined);
    if (!failure) res.status = 'DELETING';
    d.state.timers.after(d.state.operationMs, () => {
      if (!failure && f.byName.get(res.name) === res) f.byName.delete(res.name);
      d.ops.finish(op, failure);
    });
    return op;
  });
}

export function listResources<R extends GlobalResource>(d: FamilyDeps, f: Family<R>, ctx: RouteContext): Reply {
  const match = compileFilter(ctx.query.get('filter'));
  const all = [...f.byName.values()].filter((r) => match(r as never)).sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextPageToken } = paginate(all, checkMaxResults(ctx.query.get('maxResults')), ctx.query.get('pageToken'));
  return {
    status: 200,
    body: { kind: f.listKind, id: d.state.path('global', f.collection), items: page, selfLink: d.state.link('global', f.collection), nextPageToken },
  };
}
