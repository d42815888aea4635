/**
 * Zone and global operations: what every mutating call returns, their `get` and `wait`, and the
 * requestId rule (the same requestId within an hour returns the same operation and does nothing).
 */
import { notFound } from './errors.ts';
import type { OperationFailure } from './faults.ts';
import { lastSegment, type SimState } from './state.ts';
import type { GceOperation, Reply, Route, RouteContext } from './types.ts';
import { checkRequestId, checkZone } from './validate.ts';

const REQUEST_ID_TTL_MS = 60 * 60 * 1000;

export interface SimOperation {
  res: GceOperation;
  zone?: string;
  waiters: Set<() => void>;
}

export class Operations {
  readonly #state: SimState;
  readonly #byName = new Map<string, SimOperation>();
  readonly #byRequestId = new Map<string, { op: SimOperation; at: number }>();

  constructor(state: SimState) {
    this.#state = state;
  }

  all(): GceOperation[] {
    return [...this.#byName.values()].map((o) => o.res);
  }

  get(name: string): GceOperation | undefined {
    return this.#byName.get(name)?.res;
  }

  /** Runs `create` unless this requestId was seen within the hour, in which case the prior operation answers. */
  idempotent(query: URLSearchParams, create: (requestId: string | undefined) => SimOperation): Reply {
    const requestId = checkRequestId(query.get('requestId'));
    const now = this.#state.now().getTime();
    if (requestId) {
      const prior = this.#byRequestId.get(requestId);
      if (prior && now - prior.at < REQUEST_ID_TTL_MS) return { status: 200, body: prior.op.res };
    }
    const op = create(requestId);
    if (requestId) this.#byRequestId.set(requestId, { op, at: now });
    return { status: 200, body: op.res };
  }

  start(args: { operationType: string; targetLink: string; targetId: string; zone?: string; requestId?: string }): SimOperation {
    const s = this.#state;
    const name = s.newOperationName();
    const at = s.timestamp();
    const res: GceOperation = {
      kind: 'compute#operation',
      id: s.newId(),
      name,
      operationType: args.operationType,
      targetLink: args.targetLink,
      targetId: args.targetId,
      status: 'RUNNING',
      progress: 0,
      user: `demo-vm@${s.project}.iam.gserviceaccount.com`,
      insertTime: at,
      startTime: at,
      selfLink: args.zone ? s.link('zones', args.zone, 'operations', name) : s.link('global', 'operations', name),
    };
    if (args.zone) res.zone = s.link('zones', args.zone);
    if (args.requestId) res.clientOperationId = args.requestId;
    const op: SimOperation = { res, zone: args.zone, waiters: new Set() };
    this.#byName.set(name, op);
    return op;
  }

  /** Saved operations back; those still running then are done by now. */
  restore(saved: readonly GceOperation[]): void {
    for (const res of saved) {
      const done: GceOperation = res.status === 'DONE' ? res : { ...res, status: 'DONE', progress: 100, endTime: this.#state.timestamp() };
      this.#byName.set(res.name, { res: done, zone: res.zone ? lastSegment(res.zone) : undefined, waiters: new Set() });
    }
  }

  progress(op: SimOperation, pct: number): void {
    if (op.res.status !== 'DONE') op.res.progress = pct;
  }

  finish(op: SimOperation, failure?: OperationFailure): void {
    if (op.res.status === 'DONE') return;
    op.res.status = 'DONE';
    op.res.progress = 100;
    op.res.endTime = this.#state.timestamp();
    if (failure) {
      op.res.error = { errors: [{ code: failure.code, message: failure.message }] };
      op.res.httpErrorStatusCode = failure.httpStatus;
      op.res.httpErrorMessage = failure.httpMessage;
    }
    this.#wake(op);
  }

  /** End a running operation DONE now, by name; false if there is none. */
  finishNamed(name: string): boolean {
    const op = this.#byName.get(name);
    if (!op || op.res.status === 'DONE') return false;
    this.finish(op);
    return true;
  }

  /** Answer every pending `wait` now (used by close()). */
  wakeAll(): void {
    for (const op of this.#byName.values()) this.#wake(op);
  }

  #wake(op: SimOperation): void {
    const waiters = [...op.waiters];
    op.waiters.clear();
    for (const w of waiters) w();
  }

  #find(zone: string | undefined, name: string): SimOperation {
    const op = this.#byName.get(name);
    if (!op || op.zone !== zone) {
      throw notFound(zone ? this.#state.path('zones', zone, 'operations', name) : this.#state.path('global', 'operations', name));
    }
    return op;
  }

  async #wait(op: SimOperation, ctx: RouteContext): Promise<Reply> {
    if (op.res.status !== 'DONE' && this.#state.maxWaitMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          op.waiters.delete(done);
          this.#state.timers.cancel(timer);
          resolve();
        };
        const timer = this.#state.timers.after(this.#state.maxWaitMs, done);
        op.waiters.add(done);
        void ctx.aborted.then(done); // never rejects: it settles when the client goes away
      });
    }
    return { status: 200, body: op.res };
  }

  routes(): Route[] {
    const zones = this.#state.zones;
    return [
      {
        httpMethod: 'GET',
        pattern: /^zones\/(?<zone>[^/]+)\/operations\/(?<name>[^/]+)$/,
        method: 'zoneOperations.get',
        handle: ({ params }) => ({ status: 200, body: this.#find(checkZone(zones, params.zone!), params.name!).res }),
      },
      {
        httpMethod: 'POST',
        pattern: /^zones\/(?<zone>[^/]+)\/operations\/(?<name>[^/]+)\/wait$/,
        method: 'zoneOperations.wait',
        handle: (ctx) => this.#wait(this.#find(checkZone(zones, ctx.params.zone!), ctx.params.name!), ctx),
      },
      {
        httpMethod: 'GET',
        pattern: /^global\/operations\/(?<name>[^/]+)$/,
        method: 'globalOperations.get',
        handle: ({ params }) => ({ status: 200, body: this.#find(undefined, params.name!).res }),
      },
      {
        httpMethod: 'POST',
        pattern: /^global\/operations\/(?<name>[^/]+)\/wait$/,
        method: 'globalOperations.wait',
        handle: (ctx) => this.#wait(this.#find(undefined, ctx.params.name!), ctx),
      },
    ];
  }
}
