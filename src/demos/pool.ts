import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { WorkerContext } from '../context.ts';
import { monthOf } from '../accounting/periods.ts';
import { poolUsage } from '../accounting/pool-usage.ts';
import * as catalog from '../catalog/service.ts';
import type { CatalogImageRef } from '../catalog/service.ts';
import type { Instance } from '../platform/compute/port.ts';
import type { Database } from '../platform/db-schema.ts';
import { getSetting, putSetting } from '../platform/settings.ts';
import { DemoJobs } from './ids.ts';
import { defaultZoneFor, vmPlacement } from './placement.ts';
import { appTarget } from './status.ts';
import * as pool from './pool-store.ts';
import type { PoolVm } from './pool-store.ts';
import { instanceNameFor } from './service.ts';
import type { Demo } from './store.ts';
import { appAnswers, dropInheritedServiceAccount, gceRefusal, PollBudget, stepRunner, waitForStatus } from './vm-steps.ts';

/**
 * The warm pool: clones of a pooled catalog image made ahead, booted until the app answers, then
 * suspended (GCE keeps memory, so a resume finds the app running). A launch takes one (launchJob), and
 * the pool refills here. Pool VMs belong to no user: labelled purpose=pool, costed as the pool's own line.
 */

const BUDGET_KEY = 'pool.budget';

export interface PoolBudget {
  spent: number;
  cap: number;
  reached: boolean;
}

function poolLabels(imageId: string): Record<string, string> {
  return { 'managed-by': 'demo-vm', purpose: 'pool', 'pool-image': imageId };
}

/** A pool VM's own labels, minus what made it the pool's. */
export function withoutPoolLabels(labels: Record<string, string>): Record<string, string> {
  const { purpose: _purpose, 'pool-image': _image, ...rest } = labels;
  return rest;
}

export function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * Hand a ready pool VM of the demo's image, zone and machine type to the demo: in one transaction the
 * pool row says whose it is and the demo takes its VM name, so a crash leaves it with exactly one owner.
 */
export async function takeFromPool(ctx: WorkerContext, demo: Demo): Promise<(Demo & { handedOutAt: Date }) | null> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const vm = await pool.takeReady(trx, { imageId: demo.imageId, zone: demo.zone, machineType: demo.machineType, demoId: demo.id, now });
    if (!vm) return null;
    const moved = await trx
      .updateTable('demos')
      .set({ instance_name: vm.instanceName, from_pool: true, updated_at: now })
      .where('id', '=', demo.id)
      .where('state', '=', 'provisioning')
      .where('from_pool', '=', false)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new Error(`demo ${demo.id} changed while taking a pool VM`); // the take rolls back
    await requestRefill(ctx, trx);
    ctx.log.info({ demoId: demo.id, poolVm: vm.instanceName }, 'handed a warm pool VM to a launch');
    return { ...demo, instanceName: vm.instanceName, fromPool: true, handedOutAt: now };
  });
}

/** How the last refill found the month's pool spending (the admin fleet shows it). */
export async function lastPoolBudget(ctx: Pick<WorkerContext, 'db'>): Promise<PoolBudget | null> {
  return (await getSetting<PoolBudget>(ctx.db, BUDGET_KEY)) ?? null;
}

export interface RefillReport {
  created: number;
  retired: number;
  moved: number;
  budget: PoolBudget;
}

/** What each pool should hold now: its image (still in the catalog) and its size (`auto`: today's demand). */
async function poolTargets(trx: Transaction<Database>, now: Date): Promise<Map<string, { image: CatalogImageRef; size: number }>> {
  const targets = new Map<string, { image: CatalogImageRef; size: number }>();
  for (const s of await pool.poolSizes(trx)) {
    const image = await catalog.getImage(trx, s.imageId);
    if (image?.status !== 'ready') continue;
    targets.set(s.imageId, { image, size: s.auto ? Math.min(s.size, await pool.dailyLaunches(trx, s.imageId, now)) : s.size });
  }
  return targets;
}

/**
 * Which pool VMs go, and why: those no pool wants, those suspended for `refreshDays` (GCE stops a VM
 * suspended 60 days), and a pool's oldest ready ones beyond its size. The rest are kept, per image.
 */
function planRetirements(vms: PoolVm[], sizes: Map<string, number>, now: Date, refreshDays: number) {
  const refreshBefore = now.getTime() - refreshDays * 86_400_000;
  const retire: Array<{ id: string; reason: string }> = [];
  const kept = new Map<string, PoolVm[]>();
  for (const vm of vms) {
    if (vm.state === 'retiring') continue;
    if (!sizes.has(vm.imageId)) retire.push({ id: vm.id, reason: 'its image is no longer pooled' });
    else if (vm.state === 'ready' && vm.suspendedAt && vm.suspendedAt.getTime() < refreshBefore)
      retire.push({ id: vm.id, reason: `suspended ${refreshDays} days: made anew before GCE's 60-day limit` });
    else kept.set(vm.imageId, [...(kept.get(vm.imageId) ?? []), vm]);
  }
  for (const [imageId, size] of sizes) {
    const mine = kept.get(imageId) ?? [];
    const extra = mine.filter((vm) => vm.state === 'ready').slice(0, Math.max(0, mine.length - size));
    for (const vm of extra) retire.push({ id: vm.id, reason: 'over the pool size' });
    kept.set(
      imageId,
      mine.filter((vm) => !extra.includes(vm)),
    );
  }
  return { retire, kept };
}

/**
 * Top every pool up to its size, one refill at a time (an advisory lock): pools of images replaced
 * by a newer version move to it; VMs planRetirements lets go are deleted (a warming one by its own
 * warm job once it finishes, never beside its insert); nothing new is made past POOL_MAX_VMS or once
 * the month's pool budget is spent.
 */
export async function refillPools(ctx: WorkerContext, now = ctx.clock.now()): Promise<RefillReport> {
  const spent = (await poolUsage(ctx.db, monthOf(now, ctx.config.orgTimeZone), now)).cost;
  const budget: PoolBudget = { spent, cap: ctx.config.pool.monthlyUsd, reached: spent >= ctx.config.pool.monthlyUsd };
  const report = await ctx.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('demo-vm pool refill'))`.execute(trx);
    const moved = await pool.followNewerVersions(trx, now);
    const targets = await poolTargets(trx, now);
    const vms = await pool.livePoolVms(trx);
    const sizes = new Map([...targets].map(([id, t]) => [id, t.size]));
    const plan = planRetirements(vms, sizes, now, ctx.config.pool.refreshDays);
    const retired: string[] = [];
    for (const reason of new Set(plan.retire.map((r) => r.reason))) {
      const ids = plan.retire.filter((r) => r.reason === reason).map((r) => r.id);
      retired.push(...(await pool.markRetiring(trx, ids, reason)));
    }
    const warming = new Set(vms.filter((vm) => vm.state === 'warming').map((vm) => vm.id));
    for (const id of retired) if (!warming.has(id)) await ctx.jobs.send(DemoJobs.poolRetire, { poolVmId: id }, { trx });

    let live = vms.length;
    let created = 0;
    for (const [imageId, { image, size }] of budget.reached ? [] : targets) {
      const zone = defaultZoneFor(ctx.config, image.region);
      const have = (plan.kept.get(imageId) ?? []).filter((vm) => vm.zone === zone).length;
      for (let i = have; zone && i < size && live < ctx.config.pool.maxVms; i++, live++, created++) {
        const id = randomUUID();
        await pool.insertWarming(trx, { id, instanceName: instanceNameFor(id), imageId, zone, machineType: ctx.config.gce.defaultMachineType, createdAt: now });
        await ctx.jobs.send(DemoJobs.poolWarm, { poolVmId: id }, { trx });
      }
    }
    await putSetting(trx, BUDGET_KEY, budget, null, now);
    return { created, retired: retired.length, moved: moved.length, budget };
  });
  if (report.created || report.retired || report.moved) ctx.log.info(report, 'warm pool refilled');
  return report;
}

/** Ask for a refill soon (after a hand-out, a new size): one waits at a time. */
export async function requestRefill(ctx: Pick<WorkerContext, 'jobs'>, trx?: Transaction<Database>): Promise<void> {
  await ctx.jobs.send(DemoJobs.poolRefill, {}, { singletonKey: 'pool-refill', trx });
}

/** Clone, boot until the app answers, suspend: then the VM is ready to be handed out. */
export async function warmPoolVm(ctx: WorkerContext, data: { poolVmId: string }, attempt: { final: boolean; signal?: AbortSignal }): Promise<void> {
  const vm = await pool.getPoolVm(ctx.db, data.poolVmId);
  if (vm?.state === 'retiring') return retirePoolVm(ctx, data, attempt); // retired while it waited or warmed
  if (vm?.state !== 'warming') return;
  const image = await catalog.getImage(ctx.db, vm.imageId);
  const run = stepRunner(ctx, { kind: 'pool', id: vm.id }, attempt.signal);
  try {
    if (!image) throw new Error('its image left the catalog');
    await run('insert', (requestId) =>
      ctx.compute.insertInstance({
        name: vm.instanceName,
        zone: vm.zone,
        sourceMachineImage: `projects/${image.project}/global/machineImages/${image.gceName}`,
        machineType: vm.machineType,
        labels: poolLabels(image.id),
        placement: vmPlacement(ctx.config, vm.zone),
        requestId,
      }),
    );
    await dropInheritedServiceAccount(ctx, vm, run, attempt.signal);
    const running = await waitForStatus(ctx, vm, ['RUNNING'], attempt.signal);
    await waitForApp(ctx, running, image, attempt.signal);
    await run('suspend', (rid) => ctx.compute.suspendInstance(vm.zone, vm.instanceName, rid));
    const suspended = await waitForStatus(ctx, vm, ['SUSPENDED'], attempt.signal);
    const diskName = suspended.bootDisk?.split('/').at(-1);
    const disk = diskName ? await ctx.compute.getDisk(vm.zone, diskName) : null;
    const type = await ctx.db.selectFrom('machine_types').select('memory_mb').where('zone', '=', vm.zone).where('name', '=', vm.machineType).executeTakeFirst();
    const ready = await pool.markReady(ctx.db, vm.id, {
      suspendedAt: suspended.lastSuspendedAt ?? ctx.clock.now(),
      diskGb: disk?.sizeGb ?? null,
      memoryMb: type?.memory_mb ?? null,
    });
    if (!ready) await retirePoolVm(ctx, data, attempt); // retired while it warmed
  } catch (err) {
    if (attempt.signal?.aborted) throw err;
    const refusal = gceRefusal(err);
    if (!refusal && image && !attempt.final) throw err;
    ctx.log.warn({ err, poolVmId: vm.id, image: vm.imageId }, 'a warm pool VM could not be made ready; it is deleted');
    // GCE refusing the request itself (e.g. a VM too large to suspend) would refuse every clone alike.
    if (refusal?.kind === 'invalid') await pool.stopPooling(ctx.db, vm.imageId, refusal.reason, ctx.clock.now());
    await ctx.db
      .updateTable('pool_vms')
      .set({ state: 'retiring', retire_reason: refusal?.reason ?? (err as Error).message })
      .where('id', '=', vm.id)
      .where('state', '=', 'warming')
      .execute();
    await retirePoolVm(ctx, data, attempt);
  }
}

/** Delete a retired pool VM (gone already counts); then its row says so. */
export async function retirePoolVm(ctx: WorkerContext, data: { poolVmId: string }, attempt: { signal?: AbortSignal }): Promise<void> {
  const vm = await pool.getPoolVm(ctx.db, data.poolVmId);
  if (!vm || vm.state !== 'retiring') return;
  const run = stepRunner(ctx, { kind: 'pool', id: vm.id }, attempt.signal);
  await run('delete', (rid) => ctx.compute.deleteInstance(vm.zone, vm.instanceName, rid));
  await pool.markGone(ctx.db, vm.id, ctx.clock.now());
  await requestRefill(ctx); // its place (under POOL_MAX_VMS) may go to a VM a pool lacks
}

/**
 * The app is up when it answers (any status below 500) at the address a demo's would; an image that
 * declares no app is suspended once GCE says RUNNING. Bounded by READINESS_TIMEOUT_SECONDS: a slow app
 * is suspended anyway (a resume then waits for the rest of its start).
 */
async function waitForApp(ctx: WorkerContext, vm: Instance, image: CatalogImageRef, signal?: AbortSignal): Promise<void> {
  const target = appTarget(ctx, { zone: vm.zone, instanceName: vm.name, externalIp: vm.externalIp ?? null, internalIp: vm.internalIp ?? null }, image.app);
  if (!target || !ctx.appReach.mayProbe(target.endpoint)) return;
  const { url } = target;
  for (const budget = new PollBudget(ctx.clock, ctx.config.demo.readinessTimeoutSeconds * 1000); !budget.over;) {
    signal?.throwIfAborted();
    if (await appAnswers(url)) return;
    await budget.pause(1_000);
  }
  ctx.log.warn({ image: image.id, vm: vm.name }, 'a warm pool VM is suspended before its app answered');
}

/** What the admin sees of each pool. */
export interface PoolLine {
  imageId: string;
  title: string;
  size: number;
  auto: boolean;
  ready: number;
  warming: number;
  /** Set when the app turned the pool off, and why. */
  stoppedReason?: string;
}

export async function poolLines(ctx: Pick<WorkerContext, 'db'>): Promise<PoolLine[]> {
  const sizes = await pool.poolSizes(ctx.db);
  const vms = await pool.livePoolVms(ctx.db);
  const lines: PoolLine[] = [];
  for (const s of sizes) {
    const image = await catalog.getImage(ctx.db, s.imageId);
    const mine = vms.filter((vm) => vm.imageId === s.imageId);
    lines.push({
      imageId: s.imageId,
      title: image?.title ?? 'Removed image',
      size: s.size,
      auto: s.auto,
      ready: mine.filter((vm) => vm.state === 'ready').length,
      warming: mine.filter((vm) => vm.state === 'warming').length,
    });
  }
  for (const stopped of await pool.stoppedPools(ctx.db)) {
    const image = await catalog.getImage(ctx.db, stopped.imageId);
    lines.push({ imageId: stopped.imageId, title: image?.title ?? 'Removed image', size: 0, auto: false, ready: 0, warming: 0, stoppedReason: stopped.reason });
  }
  return lines;
}
