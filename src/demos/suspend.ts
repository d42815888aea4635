import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppContext, WorkerContext } from '../context.ts';
import { closeInterval, openInterval, reportedOr, stoppedAt } from '../accounting/ledger.ts';
import { closeSuspended, openSuspended } from '../accounting/suspended-ledger.ts';
import { recordAudit } from '../audit/store.ts';
import * as catalog from '../catalog/service.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import type { Instance } from '../platform/compute/port.ts';
import type { Database } from '../platform/db-schema.ts';
import { can, type Actor } from '../policy.ts';
import { IdleJobs } from './idle-ids.ts';
import { resumedMessage, suspendedMessage } from './idle-views.ts';
import { syncStatus } from './status.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';
import { gceRefusal, stepRunner, waitForStatus } from './vm-steps.ts';

/**
 * Suspend and resume of a demo's VM (idle suspension, #26). GCE keeps a suspended VM's memory and
 * disks and charges only their storage: the running interval closes and a suspended interval opens in
 * the transaction that moves the demo to `suspended`; resume does the reverse and pushes expiry back
 * by the time suspended (the time to live pauses). A VM GCE cannot suspend is stopped instead.
 */

/** Who acts for the idle check (audited under this id). */
export const IDLE_ACTOR = 'system:idle';

/**
 * GCE's documented limits on suspending (compute/docs/instances/suspend-resume-instance#limitations):
 * no VM with more than 208 GB of memory, GPUs, Confidential VM or more than 32 Local SSDs (and a guest
 * OS that supports it). The app knows memory from the machine type; GCE's refusal covers the rest.
 */
export const MAX_SUSPEND_MEMORY_MB = 208 * 1024;

async function memoryOf(ctx: AppContext, demo: Pick<Demo, 'zone' | 'machineType'>): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('machine_types')
    .select('memory_mb')
    .where('zone', '=', demo.zone)
    .where('name', '=', demo.machineType)
    .executeTakeFirst();
  return row?.memory_mb ?? null;
}

/** A "Keep running" that no longer applies ends when the demo goes down (suspended, stopped, deleted). */
export async function endKeeps(trx: Transaction<Database> | AppContext['db'], demoId: string, at: Date): Promise<void> {
  await trx.updateTable('idle_keeps').set({ ended_at: at }).where('demo_id', '=', demoId).where('ended_at', 'is', null).where('pressed_at', '<=', at).execute();
}

/** The idle check's claim: running → suspending, and the job that does it (one per claim). */
export async function requestSuspend(ctx: AppContext, demo: Demo, now: Date, detail: object): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(trx, demo.id, { state: 'running', progress: 'ready' }, { progress: 'suspending' }, now);
    if (!ok) return false;
    await recordAudit(trx, { at: now, actorId: IDLE_ACTOR, action: 'demo.suspend', resourceKind: 'demo', resourceId: demo.id, after: detail });
    await ctx.jobs.send(IdleJobs.suspend, { demoId: demo.id, requestId: randomUUID() }, { trx });
    return true;
  });
}

async function title(ctx: AppContext, demo: Demo): Promise<string> {
  return (await catalog.getImage(ctx.db, demo.imageId))?.title ?? demo.displayName;
}

/** The idle warning DM, once acted on, says so (its Keep running button goes). */
async function closeWarning(ctx: AppContext, demo: Demo, text: string): Promise<void> {
  if (!demo.idleDmChannel || !demo.idleDmTs) return;
  await ctx.slack.chat.update({ channel: demo.idleDmChannel, ts: demo.idleDmTs, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
}

export async function suspendJob(
  ctx: WorkerContext,
  data: { demoId: string; requestId: string },
  attempt: { final: boolean; signal?: AbortSignal },
): Promise<void> {
  const demo = await store.getDemo(ctx.db, data.demoId);
  if (!demo || demo.state !== 'running' || demo.progress !== 'suspending') return;
  // "Open the app" pressed after the idle period began (a click racing the queued suspend): it stays up.
  if (demo.idleSince && demo.openedAt && demo.openedAt > demo.idleSince) {
    await backToReady(ctx, demo, demo.openedAt);
    return closeWarning(ctx, demo, `:eyes: \`${demo.displayName}\` was opened just now, so I left it running.`);
  }
  const run = stepRunner(ctx, { kind: 'demo', id: demo.id }, attempt.signal);
  const memoryMb = await memoryOf(ctx, demo);
  let cannot: string | null =
    memoryMb !== null && memoryMb > MAX_SUSPEND_MEMORY_MB ? `it has ${Math.round(memoryMb / 1024)} GB of memory; GCE suspends VMs of at most 208 GB` : null;
  if (!cannot) {
    try {
      await run(`suspend:${data.requestId}`, (rid) => ctx.compute.suspendInstance(demo.zone, demo.instanceName, rid));
    } catch (err) {
      if (attempt.signal?.aborted) throw err;
      const refusal = gceRefusal(err);
      if (refusal?.kind === 'invalid') cannot = refusal.reason;
      else if (!refusal && !attempt.final) throw err;
      else return giveBack(ctx, demo, refusal?.reason ?? (err as Error).message);
    }
  }
  if (cannot) return stopInstead(ctx, demo, data.requestId, cannot, attempt.signal);
  const vm = await waitForStatus(ctx, demo, ['SUSPENDED'], attempt.signal);
  const diskName = vm.bootDisk?.split('/').at(-1);
  const disk = diskName ? await ctx.compute.getDisk(demo.zone, diskName) : null;
  const now = ctx.clock.now();
  const at = reportedOr(vm.lastSuspendedAt, now);
  await ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(trx, demo.id, { state: 'running', progress: 'suspending' }, { state: 'suspended', progress: 'idle' }, now);
    if (!ok) return;
    await closeInterval(trx, demo.id, at);
    await openSuspended(trx, store.intervalSubject(demo), at, { memoryMb: memoryMb ?? 0, diskGb: disk?.sizeGb ?? 0 });
    await endKeeps(trx, demo.id, at);
    await trx.updateTable('demos').set({ idle_since: null, idle_warned_at: null }).where('id', '=', demo.id).execute();
  });
  await closeWarning(ctx, demo, `:zzz: Suspended \`${demo.displayName}\` after the warning, as it stayed idle.`);
  await ctx.poster.postMessage({ channel: demo.ownerId, ...suspendedMessage(demo, { title: await title(ctx, demo) }) });
  await syncStatus(ctx, demo.id, { required: true });
}

/** GCE cannot suspend this VM (its documented limits): stop it, and say why. */
async function stopInstead(ctx: WorkerContext, demo: Demo, requestId: string, reason: string, signal?: AbortSignal): Promise<void> {
  const run = stepRunner(ctx, { kind: 'demo', id: demo.id }, signal);
  await run(`idle-stop:${requestId}`, (rid) => ctx.compute.stopInstance(demo.zone, demo.instanceName, rid));
  const vm = await waitForStatus(ctx, demo, ['TERMINATED', 'STOPPED'], signal);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(
      trx,
      demo.id,
      { state: 'running', progress: 'suspending' },
      { state: 'stopped', progress: 'idle', external_ip: null },
      now,
    );
    if (!ok) return;
    await closeInterval(trx, demo.id, stoppedAt(vm.lastStopAt, now));
    await endKeeps(trx, demo.id, now);
    await trx.updateTable('demos').set({ idle_since: null, idle_warned_at: null }).where('id', '=', demo.id).execute();
    await recordAudit(trx, {
      at: now,
      actorId: IDLE_ACTOR,
      action: 'demo.stop',
      resourceKind: 'demo',
      resourceId: demo.id,
      after: { instead: 'suspend', reason },
    });
  });
  ctx.log.info({ demoId: demo.id, reason }, 'an idle demo GCE cannot suspend was stopped instead');
  await closeWarning(ctx, demo, `:black_circle: Stopped \`${demo.displayName}\` after the warning (GCE cannot suspend it).`);
  await ctx.poster.postMessage({ channel: demo.ownerId, ...suspendedMessage(demo, { title: await title(ctx, demo), stoppedBecause: reason }) });
  await syncStatus(ctx, demo.id, { required: true });
}

/** The suspend failed for good: the demo runs on, its buttons back, the owner told. */
/** The suspend is off: running and ready again, its idle period over (active at `activeAt`). */
async function backToReady(ctx: WorkerContext, demo: Demo, activeAt: Date): Promise<void> {
  await store.transition(ctx.db, demo.id, { state: 'running', progress: 'suspending' }, { progress: 'ready' }, ctx.clock.now());
  await ctx.db.updateTable('demos').set({ idle_since: null, idle_warned_at: null, active_at: activeAt }).where('id', '=', demo.id).execute();
  await syncStatus(ctx, demo.id);
}

async function giveBack(ctx: WorkerContext, demo: Demo, reason: string): Promise<void> {
  await backToReady(ctx, demo, ctx.clock.now());
  await ctx.poster.postMessage({ channel: demo.ownerId, text: `:warning: Could not suspend idle \`${demo.displayName}\`: ${reason} It keeps running.` });
}

/**
 * Resume a suspended demo (its owner or an admin; `actor` null: the app itself, e.g. before a booked
 * demo's time). Claimed by a conditional update, done by a durable job; a double click resumes once.
 */
export async function resumeSuspended(ctx: AppContext, demoId: string, actor: Actor | null = null): Promise<Demo> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo || demo.state === 'deleted') throw new NotFoundError('That demo no longer exists.');
  if (actor) {
    const decision = can(actor, 'start', { kind: 'demo', ownerId: demo.ownerId });
    if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  }
  const now = ctx.clock.now();
  const claimed = await ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(trx, demoId, { state: 'suspended', progress: 'idle' }, { progress: 'resuming' }, now);
    if (!ok) return false;
    await recordAudit(trx, { at: now, actorId: actor?.userId ?? IDLE_ACTOR, action: 'demo.resume', resourceKind: 'demo', resourceId: demoId });
    await ctx.jobs.send(IdleJobs.resume, { demoId, requestId: randomUUID() }, { trx });
    return true;
  });
  const current = (await store.getDemo(ctx.db, demoId))!;
  if (!claimed && current.progress !== 'resuming') {
    throw new UserError(
      `\`${current.displayName}\` is not suspended (it is ${current.state}${current.progress === 'idle' || current.progress === 'ready' ? '' : `, ${current.progress}`}).`,
    );
  }
  if (claimed) await syncStatus(ctx, demoId);
  return current;
}

export async function resumeJob(
  ctx: WorkerContext,
  data: { demoId: string; requestId: string },
  attempt: { final: boolean; signal?: AbortSignal },
): Promise<void> {
  const demo = await store.getDemo(ctx.db, data.demoId);
  if (!demo || demo.state !== 'suspended' || demo.progress !== 'resuming') return;
  try {
    const run = stepRunner(ctx, { kind: 'demo', id: demo.id }, attempt.signal);
    await run(`resume:${data.requestId}`, (rid) => ctx.compute.resumeInstance(demo.zone, demo.instanceName, rid));
    // Read again once running: an ephemeral external IP may have changed.
    const vm = await waitForStatus(ctx, demo, ['RUNNING'], attempt.signal);
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (trx) => {
      const ok = await store.transition(
        trx,
        demo.id,
        { state: 'suspended', progress: 'resuming' },
        { state: 'running', progress: 'ready', external_ip: vm.externalIp ?? null, internal_ip: vm.internalIp ?? null },
        now,
      );
      if (!ok) return;
      const since = await closeSuspended(trx, demo.id, now);
      // The time to live pauses while suspended: expiry moves by the time it was.
      const paused = since ? Math.max(0, now.getTime() - since.getTime()) : 0;
      await trx
        .updateTable('demos')
        .set({ expires_at: new Date(demo.expiresAt.getTime() + paused), nudged_at: null, active_at: now })
        .where('id', '=', demo.id)
        .execute();
      await openInterval(trx, store.intervalSubject(demo), { startedAt: reportedOr(vm.lastStartAt, now), seenAt: now });
    });
    const resumed = (await store.getDemo(ctx.db, demo.id))!;
    await ctx.poster.postMessage({ channel: demo.ownerId, ...resumedMessage(resumed, await title(ctx, demo)) });
    await syncStatus(ctx, demo.id, { required: true });
  } catch (err) {
    if (attempt.signal?.aborted) throw err;
    const refusal = gceRefusal(err);
    if (!refusal && !attempt.final) throw err;
    await store.transition(ctx.db, demo.id, { state: 'suspended', progress: 'resuming' }, { progress: 'idle' }, ctx.clock.now());
    await ctx.poster.postMessage({
      channel: demo.ownerId,
      text: `:warning: Could not resume \`${demo.displayName}\`: ${refusal?.reason ?? (err as Error).message}`,
    });
    await syncStatus(ctx, demo.id);
  }
}

/**
 * The reconciler's part for suspended demos (which it does not settle itself): GCE stops a VM
 * suspended 60 days, and a VM can be resumed, stopped or deleted in the Cloud Console. The demo and
 * its ledger follow what GCE shows; `vms` is the reconciler's listing (a VM missing there is looked up).
 */
export async function reconcileSuspended(ctx: WorkerContext, vms: Map<string, Instance>, now: Date): Promise<Array<{ id: string; to: Demo['state'] }>> {
  const rows = await ctx.db.selectFrom('demos').selectAll().where('state', '=', 'suspended').where('progress', '=', 'idle').execute();
  const changed: Array<{ id: string; to: Demo['state'] }> = [];
  for (const demo of rows.map(store.toDemo)) {
    const key = `${demo.zone}/${demo.instanceName}`;
    const vm = vms.get(key) ?? (await ctx.compute.getInstance(demo.zone, demo.instanceName)) ?? undefined;
    vms.delete(key);
    if (vm?.status === 'SUSPENDED' || vm?.status === 'SUSPENDING') continue;
    const to: Demo['state'] = !vm ? 'deleted' : vm.status === 'RUNNING' ? 'running' : 'stopped';
    const at = !vm ? now : reportedOr(to === 'running' ? vm.lastStartAt : vm.lastStopAt, now);
    const done = await ctx.db.transaction().execute(async (trx) => {
      const ok = await store.transition(
        trx,
        demo.id,
        { state: 'suspended', progress: 'idle' },
        { state: to, progress: to === 'running' ? 'ready' : 'idle', external_ip: vm?.externalIp ?? null, internal_ip: vm?.internalIp ?? demo.internalIp },
        now,
      );
      if (!ok) return false;
      const since = await closeSuspended(trx, demo.id, at);
      if (to !== 'running') await endKeeps(trx, demo.id, at);
      else {
        const paused = since ? Math.max(0, at.getTime() - since.getTime()) : 0;
        await trx
          .updateTable('demos')
          .set({ expires_at: new Date(demo.expiresAt.getTime() + paused), active_at: at })
          .where('id', '=', demo.id)
          .execute();
        await openInterval(trx, store.intervalSubject(demo), { startedAt: at, seenAt: now }, 'reconciler');
      }
      await recordAudit(trx, {
        at: now,
        actorId: 'reconciler',
        action: `demo.drift.${to === 'running' ? 'started' : to}`,
        resourceKind: 'demo',
        resourceId: demo.id,
        before: { state: 'suspended' },
        after: { state: to, at: at.toISOString() },
      });
      return true;
    });
    if (!done) continue;
    changed.push({ id: demo.id, to });
    await syncStatus(ctx, demo.id);
  }
  return changed;
}
