import type { WorkerContext } from '../context.ts';
import { GcpError, type Instance, type OperationRef } from '../platform/compute/port.ts';
import { isConflict, isNotFound, runGceStep, type StepOwner } from '../platform/gce-steps.ts';

/** What the jobs that create and power demo VMs (a demo's, a warm pool's) share. */

const BOOT_TIMEOUT_MS = 10 * 60_000;

export interface VmRef {
  zone: string;
  instanceName: string;
}

/** One GCE mutation of the owner's VM as a resumable step (platform/gce-steps.ts); `step` names it. */
export type StepRunner = (step: string, call: (requestId: string) => Promise<OperationRef>) => Promise<void>;

export function stepRunner(ctx: WorkerContext, owner: StepOwner, signal?: AbortSignal): StepRunner {
  return (step, call) => {
    const okWhen = step === 'insert' ? isConflict : step.startsWith('delete') ? isNotFound : undefined;
    return runGceStep(ctx, owner, step, call, { timeoutMs: BOOT_TIMEOUT_MS, signal, okWhen });
  };
}

/** A polling loop's budget of the app's time: what has passed since it began (real time × the clock's rate). */
export class PollBudget {
  readonly #clock: WorkerContext['clock'];
  readonly #limitMs: number;
  readonly #started = performance.now();
  constructor(clock: WorkerContext['clock'], limitMs: number) {
    this.#clock = clock;
    this.#limitMs = limitMs;
  }
  get over(): boolean {
    return (performance.now() - this.#started) * this.#clock.rate >= this.#limitMs;
  }
  pause(ms: number): Promise<void> {
    return this.#clock.sleep(ms);
  }
}

/** Poll the VM until GCE reports one of `wanted` (backing off to every 2 s of the app's clock). */
export async function waitForStatus(ctx: WorkerContext, vm: VmRef, wanted: Instance['status'][], signal?: AbortSignal): Promise<Instance> {
  const budget = new PollBudget(ctx.clock, BOOT_TIMEOUT_MS);
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    const instance = await ctx.compute.getInstance(vm.zone, vm.instanceName);
    if (!instance) throw new GcpError('not_found', `The VM ${vm.instanceName} disappeared while starting.`);
    if (wanted.includes(instance.status)) return instance;
    if (budget.over) throw new GcpError('unavailable', `The VM ${vm.instanceName} is still ${instance.status} after ${BOOT_TIMEOUT_MS / 60_000} minutes.`);
    signal?.throwIfAborted();
    await budget.pause(delay);
  }
}

/** A GCE refusal in words for the user, or null for a transient failure (the job retries). */
export function gceRefusal(err: unknown): { kind: string; reason: string } | null {
  if (!(err instanceof GcpError)) return null;
  switch (err.kind) {
    case 'stockout':
      return { kind: 'stockout', reason: `Zone has no capacity right now (${err.reason ?? 'ZONE_RESOURCE_POOL_EXHAUSTED'}).` };
    case 'quota':
      return {
        kind: 'quota',
        reason: `The project is out of quota: ${err.message} Stop or delete a demo you no longer need, or ask an admin to raise the quota.`,
      };
    case 'permission':
      return { kind: 'permission', reason: `The app is not allowed to do this in GCE (${err.message}). An admin needs to check the service account's roles.` };
    case 'invalid':
    case 'not_found':
      return { kind: err.kind, reason: `GCE refused the request: ${err.message}` };
    default:
      return null;
  }
}

/**
 * With no DEMO_SERVICE_ACCOUNT a demo VM runs with none. An insert cannot say so: the client's JSON
 * encoding drops an empty `serviceAccounts` list, and GCE then keeps the image's account. So a VM that
 * came with one is stopped, its account removed (setServiceAccount with no email and no scopes, GCE's
 * documented way) and started again, before anyone is told it is ready.
 */
export async function dropInheritedServiceAccount(ctx: WorkerContext, vm: VmRef, run: StepRunner, signal?: AbortSignal): Promise<void> {
  if (ctx.config.gce.serviceAccount) return;
  const instance = await ctx.compute.getInstance(vm.zone, vm.instanceName);
  if (!instance?.serviceAccounts.length) return;
  const { zone, instanceName: name } = vm;
  await run('drop-sa:stop', (rid) => ctx.compute.stopInstance(zone, name, rid));
  await waitForStatus(ctx, vm, ['TERMINATED'], signal);
  await run('drop-sa:set', (requestId) => ctx.compute.setServiceAccount({ zone, name, account: null, requestId }));
  await run('drop-sa:start', (rid) => ctx.compute.startInstance(zone, name, rid));
}

/** One GET of a demo app: anything below 500 means something listens and serves (a login redirect counts). */
export async function appAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000), redirect: 'manual' });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    return false;
  }
}
