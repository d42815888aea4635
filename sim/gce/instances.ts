/** instances.insert/get/list/aggregatedList/stop/start/delete/setLabels, with GCE's status transitions. */
import { alreadyExists, GceHttpError, invalidField, notFound } from './errors.ts';
import type { Faults } from './faults.ts';
import { compileFilter } from './filter.ts';
import {
  applyStatus,
  buildInstance,
  DEFAULT_COMPUTE_SA,
  machineImageName,
  parseScheduling,
  resolveMachineType,
  runLimitEnd,
  type SimInstance,
  suspendLimitEnd,
  vmProperties,
  zoneOf,
} from './instance-model.ts';
import type { Operations, SimOperation } from './operations.ts';
import { paginate } from './paging.ts';
import { lastSegment, type SimState } from './state.ts';
import { instanceRamGb } from './timing.ts';
import type { GceInstance, GceInstanceStatus, GceMachineImage, Reply, Route, RouteContext } from './types.ts';
import { checkLabels, checkMaxResults, checkName, checkZone } from './validate.ts';

/** GCE suspends VMs of at most this much memory. */
const MAX_SUSPEND_MEMORY_GB = 208;

export interface InstancesDeps {
  state: SimState;
  ops: Operations;
  faults: Faults;
  findMachineImage: (name: string) => GceMachineImage | undefined;
}

export class Instances {
  readonly #d: InstancesDeps;
  readonly #byKey = new Map<string, SimInstance>();

  constructor(deps: InstancesDeps) {
    this.#d = deps;
  }

  all(): GceInstance[] {
    return [...this.#byKey.values()].map((i) => i.res);
  }

  find(zone: string, name: string): GceInstance | undefined {
    return this.#byKey.get(`${zone}/${name}`)?.res;
  }

  /** Put an instance in place directly (seeding); it starts in `status` (default RUNNING). */
  add(args: {
    zone: string;
    name: string;
    machineType?: string;
    labels?: Record<string, string>;
    status?: GceInstanceStatus;
    sourceMachineImage?: string;
  }): GceInstance {
    const s = this.#d.state;
    const image = args.sourceMachineImage ? this.#d.findMachineImage(machineImageName(s, args.sourceMachineImage)) : undefined;
    const res = buildInstance(s, {
      zone: args.zone,
      name: args.name,
      machineTypeUrl: s.link('zones', args.zone, 'machineTypes', args.machineType ?? 'e2-medium'),
      labels: args.labels ?? {},
      image,
      properties: vmProperties(s, args.zone, {}, image),
    });
    applyStatus(s, res, args.status ?? 'RUNNING');
    const nic0 = res.networkInterfaces[0];
    if (nic0 && !nic0.networkIP) nic0.networkIP = s.nextInternalIp(); // a stopped VM keeps its internal IP
    this.#byKey.set(`${args.zone}/${args.name}`, { res, gen: 0 });
    return res;
  }

  /** Saved instances back; one that was booting has booted, one that was stopping has stopped. */
  restore(saved: readonly GceInstance[]): void {
    const settled: Partial<Record<GceInstanceStatus, GceInstanceStatus>> = {
      PROVISIONING: 'RUNNING',
      STAGING: 'RUNNING',
      STOPPING: 'TERMINATED',
      SUSPENDING: 'SUSPENDED',
    };
    for (const res of saved) {
      this.#byKey.set(`${zoneOf(res)}/${res.name}`, { res, gen: 0 });
      applyStatus(this.#d.state, res, settled[res.status] ?? res.status);
    }
  }

  /** Change an instance's status behind the app's back (cancels any transition in flight). */
  setStatus(zone: string, name: string, status: GceInstanceStatus): void {
    const inst = this.#get(zone, name);
    inst.gen++;
    applyStatus(this.#d.state, inst.res, status);
  }

  /** Delete an instance behind the app's back. */
  remove(zone: string, name: string): boolean {
    const inst = this.#byKey.get(`${zone}/${name}`);
    if (!inst) return false;
    inst.gen++;
    this.#forget(inst);
    return true;
  }

  #forget(inst: SimInstance): void {
    this.#byKey.delete(`${zoneOf(inst.res)}/${inst.res.name}`);
    this.#d.state.instanceChanged(inst.res, true);
  }

  /** Stop, as GCE does, every VM whose run limit has passed (at the moment it passed). */
  enforceRunLimits(): void {
    this.#stopPast(runLimitEnd);
  }

  /** Stop, as GCE does, every VM suspended longer than GCE keeps one suspended (60 days), at the moment it passed. */
  enforceSuspendLimits(): void {
    this.#stopPast(suspendLimitEnd);
  }

  /** TERMINATED, dated when its limit passed, for every VM whose limit (as `limitEnd` reads it) has passed. */
  #stopPast(limitEnd: (res: GceInstance) => Date | undefined): void {
    const now = this.#d.state.now().getTime();
    for (const inst of this.#byKey.values()) {
      const end = limitEnd(inst.res);
      if (end && end.getTime() <= now) {
        inst.gen++;
        applyStatus(this.#d.state, inst.res, 'TERMINATED', end.toISOString());
      }
    }
  }

  /** A VM that just started stops by itself once its run limit passes (unless it changed course before). */
  #armRunLimit(inst: SimInstance): void {
    const end = runLimitEnd(inst.res);
    if (end) this.#later(inst, Math.min(end.getTime() - this.#d.state.now().getTime(), 2 ** 31 - 1), () => this.enforceRunLimits());
  }

  /** A VM that was just suspended is stopped by GCE once its suspend limit passes (unless resumed, stopped or deleted before). */
  #armSuspendLimit(inst: SimInstance): void {
    const end = suspendLimitEnd(inst.res);
    if (!end) return;
    // Timers reach ~24.8 days at most: wake then and look again until the limit has passed.
    this.#later(inst, Math.min(end.getTime() - this.#d.state.now().getTime(), 2 ** 31 - 1), () => {
      this.enforceSuspendLimits();
      this.#armSuspendLimit(inst);
    });
  }

  #get(zone: string, name: string): SimInstance {
    const inst = this.#byKey.get(`${zone}/${name}`);
    if (!inst) throw notFound(this.#d.state.path('zones', zone, 'instances', name));
    return inst;
  }

  /** Run `step` after `ms` unless the instance changed course meanwhile. */
  #later(inst: SimInstance, ms: number, step: () => void): void {
    const gen = inst.gen;
    this.#d.state.timers.after(ms, () => {
      if (inst.gen === gen && this.#byKey.get(`${zoneOf(inst.res)}/${inst.res.name}`) === inst) step();
    });
  }

  #startOp(operationType: string, method: string, zone: string, target: { selfLink: string; id: string }, requestId?: string) {
    const { ops, faults, state } = this.#d;
    const op = ops.start({ operationType, targetLink: target.selfLink, targetId: target.id, zone, requestId });
    const failure = faults.takeOperationError(method, state.project, zone);
    if (failure) state.timers.after(state.operationMs, () => ops.finish(op, failure));
    return { op, failed: failure !== undefined };
  }

  /**
   * Finish `op` when the instance reaches RUNNING after staging + boot (or at once if it changed course).
   * Instant profile: operationMs then bootMs. Realistic: `modelMs` in all, STAGING half-way, and the VM's
   * app (if it has one) answers only `appUpMs` after RUNNING; none for a resume, whose app stayed in memory.
   */
  #bootThen(inst: SimInstance, op: SimOperation, model?: { modelMs: number; appUpMs?: number }): void {
    const { state, ops } = this.#d;
    const gen = inst.gen;
    const realistic = state.timing.realistic && model !== undefined;
    const stagingMs = realistic ? Math.floor(model.modelMs / 2) : state.operationMs;
    const bootMs = realistic ? model.modelMs - stagingMs : state.bootMs;
    state.timers.after(stagingMs, () => {
      if (inst.gen !== gen) return ops.finish(op);
      applyStatus(state, inst.res, 'STAGING');
      ops.progress(op, 50);
      state.timers.after(bootMs, () => {
        if (inst.gen === gen) {
          if (realistic && model.appUpMs !== undefined) {
            state.appHeld(inst.res, true);
            this.#later(inst, model.appUpMs, () => state.appHeld(inst.res, false));
          }
          applyStatus(state, inst.res, 'RUNNING');
          this.#armRunLimit(inst);
        }
        ops.finish(op);
      });
    });
  }

  /** The machine image an instance was made from, if it still exists. */
  #imageOf(res: GceInstance): GceMachineImage | undefined {
    return res.sourceMachineImage ? this.#d.findMachineImage(lastSegment(res.sourceMachineImage)) : undefined;
  }

  #insert(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const body = ctx.body;
      const name = checkName('resource.name', body.name);
      const sourceRef = (body.sourceMachineImage as string | undefined) || ctx.query.get('sourceMachineImage') || undefined;
      let image: GceMachineImage | undefined;
      if (sourceRef) {
        const imageName = machineImageName(state, sourceRef);
        image = this.#d.findMachineImage(imageName);
        if (!image) throw notFound(state.path('global', 'machineImages', imageName));
        if (image.status !== 'READY') {
          throw new GceHttpError(400, 'resourceNotReady', `The resource '${state.path('global', 'machineImages', imageName)}' is not ready`);
        }
      } else if (!Array.isArray(body.disks) || body.disks.length === 0) {
        throw new GceHttpError(400, 'invalid', "Invalid value for field 'resource.disks': ''. Boot disk must be specified.");
      }
      const labels = body.labels === undefined ? { ...(image?.sourceInstanceProperties.labels ?? {}) } : checkLabels('resource.labels', body.labels);
      const typeRef = (body.machineType as string | undefined) ?? (image ? `zones/${zone}/machineTypes/${image.sourceInstanceProperties.machineType}` : '');
      const machineTypeUrl = resolveMachineType(state, zone, typeRef);
      if (this.#byKey.has(`${zone}/${name}`)) throw alreadyExists(state.path('zones', zone, 'instances', name));

      const properties = vmProperties(state, zone, body, image);
      const res = buildInstance(state, { zone, name, machineTypeUrl, labels, description: body.description as string | undefined, image, properties });
      const { op, failed } = this.#startOp('insert', 'instances.insert', zone, res, requestId);
      if (failed) return op; // stockout / quota: the operation fails and nothing is created
      const inst: SimInstance = { res, gen: 0 };
      this.#byKey.set(`${zone}/${name}`, inst);
      this.#bootThen(inst, op, { modelMs: state.timing.insertMs(image), appUpMs: state.timing.appUpMs(image) });
      return op;
    });
  }

  #stop(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      const { op, failed } = this.#startOp('stop', 'instances.stop', zone, inst.res, requestId);
      if (failed) return op;
      if (inst.res.status === 'TERMINATED' || inst.res.status === 'STOPPED') {
        state.timers.after(state.operationMs, () => ops.finish(op));
        return op;
      }
      inst.gen++;
      applyStatus(state, inst.res, 'STOPPING');
      const ms = state.timing.realistic ? state.timing.stopMs() : state.operationMs;
      this.#later(inst, ms, () => applyStatus(state, inst.res, 'TERMINATED'));
      state.timers.after(ms, () => ops.finish(op));
      return op;
    });
  }

  #start(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      if (inst.res.status === 'STOPPING') throw this.#notReady(zone, inst.res.name);
      const { op, failed } = this.#startOp('start', 'instances.start', zone, inst.res, requestId);
      if (failed) return op;
      if (inst.res.status === 'RUNNING') {
        state.timers.after(state.operationMs, () => ops.finish(op));
        return op;
      }
      inst.gen++;
      applyStatus(state, inst.res, 'PROVISIONING');
      this.#bootThen(inst, op, { modelMs: state.timing.startMs(), appUpMs: state.timing.appUpMs(this.#imageOf(inst.res)) });
      return op;
    });
  }

  /** GCE's answer to a call the VM's status does not allow (as start while STOPPING). */
  #notReady(zone: string, name: string): GceHttpError {
    return new GceHttpError(400, 'resourceNotReady', `The resource '${this.#d.state.path('zones', zone, 'instances', name)}' is not ready`);
  }

  /** RUNNING → SUSPENDING → SUSPENDED, memory kept; only a RUNNING VM, of at most 208 GB of memory, without GPUs. */
  #suspend(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      if (inst.res.status !== 'RUNNING') throw this.#notReady(zone, inst.res.name);
      if (instanceRamGb(inst.res) > MAX_SUSPEND_MEMORY_GB) {
        throw new GceHttpError(400, 'badRequest', `Instances with more than ${MAX_SUSPEND_MEMORY_GB} GB of memory cannot be suspended.`);
      }
      if (inst.res.guestAccelerators?.length) throw new GceHttpError(400, 'badRequest', 'Instances with guest accelerators (GPUs) cannot be suspended.');
      const { op, failed } = this.#startOp('suspend', 'instances.suspend', zone, inst.res, requestId);
      if (failed) return op;
      inst.gen++;
      applyStatus(state, inst.res, 'SUSPENDING');
      const ms = state.timing.realistic ? state.timing.suspendMs(inst.res) : state.operationMs;
      this.#later(inst, ms, () => {
        applyStatus(state, inst.res, 'SUSPENDED');
        this.#armSuspendLimit(inst);
      });
      state.timers.after(ms, () => ops.finish(op));
      return op;
    });
  }

  /** SUSPENDED → STAGING → RUNNING; the app was kept in memory, so it answers as soon as the VM runs. */
  #resume(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      if (inst.res.status !== 'SUSPENDED') throw this.#notReady(zone, inst.res.name);
      const { op, failed } = this.#startOp('resume', 'instances.resume', zone, inst.res, requestId);
      if (failed) return op;
      inst.gen++;
      const access = inst.res.networkInterfaces[0]?.accessConfigs[0];
      if (state.newIpOnResume && access) access.natIP = state.nextResumeIp();
      applyStatus(state, inst.res, 'PROVISIONING');
      this.#bootThen(inst, op, { modelMs: state.timing.resumeMs(inst.res) });
      return op;
    });
  }

  #delete(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      const { op, failed } = this.#startOp('delete', 'instances.delete', zone, inst.res, requestId);
      if (failed) return op;
      inst.gen++;
      if (inst.res.status === 'RUNNING') applyStatus(state, inst.res, 'STOPPING');
      this.#later(inst, state.operationMs, () => this.#forget(inst));
      state.timers.after(state.operationMs, () => ops.finish(op));
      return op;
    });
  }

  /** Labels are replaced whole, and only by someone who read the current ones (labelFingerprint), as GCE does. */
  #setLabels(ctx: RouteContext): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      const labels = checkLabels('labels', ctx.body.labels ?? {});
      if (ctx.body.labelFingerprint !== inst.res.labelFingerprint) {
        throw new GceHttpError(412, 'conditionNotMet', 'Labels fingerprint either invalid or resource labels have changed');
      }
      const { op, failed } = this.#startOp('setLabels', 'instances.setLabels', zone, inst.res, requestId);
      if (failed) return op;
      inst.res.labels = labels;
      inst.res.labelFingerprint = state.fingerprint(labels);
      state.timers.after(state.operationMs, () => ops.finish(op));
      return op;
    });
  }

  /** setScheduling and setServiceAccount: GCE changes these only on a stopped VM. */
  #whileStopped(ctx: RouteContext, method: string, change: (res: GceInstance) => void): Reply {
    const { state, ops } = this.#d;
    const zone = checkZone(state.zones, ctx.params.zone!);
    return ops.idempotent(ctx.query, (requestId) => {
      const inst = this.#get(zone, ctx.params.name!);
      if (inst.res.status !== 'TERMINATED') {
        throw new GceHttpError(400, 'resourceNotReady', `The resource '${state.path('zones', zone, 'instances', inst.res.name)}' is not ready`);
      }
      const { op, failed } = this.#startOp(method.split('.')[1]!, method, zone, inst.res, requestId);
      if (failed) return op;
      change(inst.res);
      state.timers.after(state.operationMs, () => ops.finish(op));
      return op;
    });
  }

  #setScheduling(ctx: RouteContext): Reply {
    return this.#whileStopped(ctx, 'instances.setScheduling', (res) => (res.scheduling = parseScheduling(ctx.body)));
  }

  /** The body replaces the account; an empty one (no email, no scopes) removes it. */
  #setServiceAccount(ctx: RouteContext): Reply {
    const { email, scopes } = ctx.body as { email?: unknown; scopes?: unknown };
    if (email !== undefined && typeof email !== 'string') throw invalidField('email', String(email), 'Must be a service account email.');
    if (scopes !== undefined && !Array.isArray(scopes)) throw invalidField('scopes', String(scopes), 'Must be a list of scopes.');
    return this.#whileStopped(ctx, 'instances.setServiceAccount', (res) => {
      res.serviceAccounts = email || scopes ? [{ email: email || DEFAULT_COMPUTE_SA, scopes: (scopes as string[]) ?? [] }] : [];
    });
  }

  #list(ctx: RouteContext): Reply {
    const s = this.#d.state;
    const zone = checkZone(s.zones, ctx.params.zone!);
    const match = compileFilter(ctx.query.get('filter'));
    const all = this.all()
      .filter((i) => zoneOf(i) === zone && match(i))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextPageToken } = paginate(all, checkMaxResults(ctx.query.get('maxResults')), ctx.query.get('pageToken'));
    const selfLink = s.link('zones', zone, 'instances');
    return { status: 200, body: { kind: 'compute#instanceList', id: s.path('zones', zone, 'instances'), items: page, selfLink, nextPageToken } };
  }

  /** Items keyed `zones/Z`, every zone present; zones without results on this page carry a warning. */
  #aggregatedList(ctx: RouteContext): Reply {
    const s = this.#d.state;
    const match = compileFilter(ctx.query.get('filter'));
    const all = this.all()
      .filter((i) => match(i))
      .sort((a, b) => zoneOf(a).localeCompare(zoneOf(b)) || a.name.localeCompare(b.name));
    const { page, nextPageToken } = paginate(all, checkMaxResults(ctx.query.get('maxResults')), ctx.query.get('pageToken'));
    const items: Record<string, unknown> = {};
    for (const zone of s.zones) {
      const instances = page.filter((i) => zoneOf(i) === zone);
      const scope = `zones/${zone}`;
      items[scope] = instances.length
        ? { instances }
        : {
            warning: { code: 'NO_RESULTS_ON_PAGE', message: `There are no results for scope '${scope}' on this page.`, data: [{ key: 'scope', value: scope }] },
          };
    }
    const body = {
      kind: 'compute#instanceAggregatedList',
      id: s.path('aggregated', 'instances'),
      items,
      selfLink: s.link('aggregated', 'instances'),
      nextPageToken,
    };
    return { status: 200, body };
  }

  routes(): Route[] {
    const s = this.#d.state;
    const one = /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)$/;
    return [
      { httpMethod: 'GET', pattern: /^aggregated\/instances$/, method: 'instances.aggregatedList', handle: (c) => this.#aggregatedList(c) },
      { httpMethod: 'GET', pattern: /^zones\/(?<zone>[^/]+)\/instances$/, method: 'instances.list', handle: (c) => this.#list(c) },
      { httpMethod: 'POST', pattern: /^zones\/(?<zone>[^/]+)\/instances$/, method: 'instances.insert', handle: (c) => this.#insert(c) },
      {
        httpMethod: 'GET',
        pattern: one,
        method: 'instances.get',
        handle: ({ params }) => ({ status: 200, body: this.#get(checkZone(s.zones, params.zone!), params.name!).res }),
      },
      { httpMethod: 'DELETE', pattern: one, method: 'instances.delete', handle: (c) => this.#delete(c) },
      { httpMethod: 'POST', pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/stop$/, method: 'instances.stop', handle: (c) => this.#stop(c) },
      { httpMethod: 'POST', pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/start$/, method: 'instances.start', handle: (c) => this.#start(c) },
      {
        httpMethod: 'POST',
        pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/suspend$/,
        method: 'instances.suspend',
        handle: (c) => this.#suspend(c),
      },
      {
        httpMethod: 'POST',
        pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/resume$/,
        method: 'instances.resume',
        handle: (c) => this.#resume(c),
      },
      {
        httpMethod: 'POST',
        pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/setLabels$/,
        method: 'instances.setLabels',
        handle: (c) => this.#setLabels(c),
      },
      {
        httpMethod: 'POST',
        pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/setScheduling$/,
        method: 'instances.setScheduling',
        handle: (c) => this.#setScheduling(c),
      },
      {
        httpMethod: 'POST',
        pattern: /^zones\/(?<zone>[^/]+)\/instances\/(?<name>[^/]+)\/setServiceAccount$/,
        method: 'instances.setServiceAccount',
        handle: (c) => this.#setServiceAccount(c),
      },
    ];
  }
}
