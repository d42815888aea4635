import { recordAudit } from '../audit/store.ts';
import type { WorkerContext } from '../context.ts';
import { claimPeriod, slotKey } from '../platform/scheduler.ts';
import { closeInterval, openInterval } from '../accounting/ledger.ts';
import { listManaged } from '../platform/compute/inventory.ts';
import type { Instance } from '../platform/compute/port.ts';
import { syncStatus } from './status.ts';
import * as demos from './store.ts';
import { recordOrphans, reportUnknownVm } from './unknown-vms.ts';

/**
 * Makes the ledger agree with GCE. Demos the app is not busy with are compared with the instances
 * labelled managed-by=demo-vm; each drift is fixed in one transaction that changes the demo and its
 * interval together, only if the row is still what was read before listing (a change the app makes
 * meanwhile is never undone — the next round looks again).
 */

export const RECONCILE_TASK = 'accounting.reconcile'; // named before it moved from accounting; claims carry it
const RECONCILE_MINUTES = 5;
export const RECONCILE_CRON = `*/${RECONCILE_MINUTES} * * * *`;
const STOPPED: Instance['status'][] = ['STOPPED', 'TERMINATED', 'SUSPENDED'];

export interface ReconcileReport {
  stopped: string[];
  started: string[];
  deleted: string[];
  /** Ledger repairs where GCE and the demo agreed but the interval did not. */
  repaired: string[];
  unknown: string[];
}

interface Seen extends Pick<demos.Demo, 'id' | 'ownerId' | 'imageId' | 'instanceName' | 'zone' | 'machineType'> {
  state: 'running' | 'stopped';
  progress: string;
  updatedAt: Date;
  open: boolean;
}

/** Running and stopped demos the app is not acting on right now, with whether they have an open interval. */
async function settledDemos(ctx: WorkerContext): Promise<Seen[]> {
  const rows = await ctx.db
    .selectFrom('demos as d')
    .leftJoin('usage_intervals as u', (j) => j.onRef('u.demo_id', '=', 'd.id').on('u.ended_at', 'is', null))
    .select(['d.id', 'd.owner_id', 'd.image_id', 'd.instance_name', 'd.zone', 'd.machine_type', 'd.state', 'd.progress', 'd.updated_at', 'u.id as open_id'])
    .where((eb) =>
      eb.or([eb.and([eb('d.state', '=', 'running'), eb('d.progress', '=', 'ready')]), eb.and([eb('d.state', '=', 'stopped'), eb('d.progress', '=', 'idle')])]),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    ownerId: r.owner_id,
    imageId: r.image_id,
    instanceName: r.instance_name,
    zone: r.zone,
    machineType: r.machine_type,
    state: r.state as Seen['state'],
    progress: r.progress,
    updatedAt: r.updated_at,
    open: r.open_id !== null,
  }));
}

const before = (a: Date | undefined, b: Date) => (a && a.getTime() < b.getTime() ? a : b);

type Fix = {
  kind: keyof Omit<ReconcileReport, 'unknown'>;
  to?: { state: 'running' | 'stopped' | 'deleted'; progress: 'ready' | 'idle'; external_ip?: string | null; internal_ip?: string | null };
  ledger: 'open' | 'close';
  at: Date;
};

/** What to do about one settled demo, given what GCE shows (undefined: the VM is gone). */
function decide(d: Seen, vm: Instance | undefined, now: Date): Fix | null {
  if (!vm) return { kind: 'deleted', to: { state: 'deleted', progress: 'idle', external_ip: null }, ledger: 'close', at: now };
  const running = vm.status === 'RUNNING';
  const stopped = STOPPED.includes(vm.status);
  if (d.state === 'running' && stopped)
    return { kind: 'stopped', to: { state: 'stopped', progress: 'idle', external_ip: null }, ledger: 'close', at: before(vm.lastStopAt, now) };
  if (d.state === 'stopped' && running) {
    return {
      kind: 'started',
      to: { state: 'running', progress: 'ready', external_ip: vm.externalIp ?? null, internal_ip: vm.internalIp ?? null },
      ledger: 'open',
      at: before(vm.lastStartAt, now),
    };
  }
  if (d.state === 'running' && running && !d.open) return { kind: 'repaired', ledger: 'open', at: before(vm.lastStartAt, now) };
  if (d.state === 'stopped' && stopped && d.open) return { kind: 'repaired', ledger: 'close', at: before(vm.lastStopAt, now) };
  return null; // in agreement, or GCE is between states: look again next round
}

async function apply(ctx: WorkerContext, d: Seen, fix: Fix, now: Date): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('demos').select(['state', 'progress', 'updated_at']).where('id', '=', d.id).forUpdate().executeTakeFirst();
    if (!row || row.state !== d.state || row.progress !== d.progress || row.updated_at.getTime() !== d.updatedAt.getTime()) return false;
    if (fix.ledger === 'close') {
      const open = await trx.selectFrom('usage_intervals').select('started_at').where('demo_id', '=', d.id).where('ended_at', 'is', null).executeTakeFirst();
      // A stop GCE reports from before this interval began is an older one: the VM stopped since we last looked.
      const at = open && fix.at.getTime() < open.started_at.getTime() ? now : fix.at;
      await closeInterval(trx, d.id, at);
    } else {
      await openInterval(trx, { demoId: d.id, userId: d.ownerId, imageId: d.imageId, machineType: d.machineType, zone: d.zone }, fix.at, 'reconciler');
    }
    if (fix.to) await demos.transition(trx, d.id, { state: d.state, progress: d.progress as demos.Progress }, fix.to, now);
    await recordAudit(trx, {
      at: now,
      actorId: 'reconciler',
      action: `demo.drift.${fix.kind}`,
      resourceKind: 'demo',
      resourceId: d.id,
      before: { state: d.state, openInterval: d.open },
      after: { state: fix.to?.state ?? d.state, interval: fix.ledger, at: fix.at.toISOString() },
    });
    return true;
  });
}

export async function reconcile(ctx: WorkerContext): Promise<ReconcileReport> {
  const report: ReconcileReport = { stopped: [], started: [], deleted: [], repaired: [], unknown: [] };
  // Our rows first, then GCE: whatever the app changes after this read is left alone.
  const seen = await settledDemos(ctx);
  const vms = await listManaged(ctx.compute);
  const now = ctx.clock.now();
  const byKey = new Map(vms.map((vm) => [`${vm.zone}/${vm.name}`, vm]));
  for (const d of seen) {
    // A VM missing from the aggregated list is looked up directly before it counts as deleted: the
    // list leaves out zones it could not reach.
    const vm = byKey.get(`${d.zone}/${d.instanceName}`) ?? (await ctx.compute.getInstance(d.zone, d.instanceName)) ?? undefined;
    byKey.delete(`${d.zone}/${d.instanceName}`);
    const fix = decide(d, vm, now);
    if (!fix || !(await apply(ctx, d, fix, now))) continue;
    report[fix.kind].push(d.id);
    ctx.log.info({ demoId: d.id, drift: fix.kind, at: fix.at }, 'reconciled a demo with GCE');
    if (fix.to) await syncStatus(ctx, d.id);
  }
  // Labelled VMs no settled demo accounts for: the app's own work in progress, or strays to report.
  const rest = [...byKey.values()].filter((vm) => vm.labels['purpose'] !== 'export');
  const orphans: Instance[] = [];
  if (rest.length) {
    const rows = await ctx.db
      .selectFrom('demos')
      .select(['instance_name', 'zone', 'state'])
      .where(
        'instance_name',
        'in',
        rest.map((vm) => vm.name),
      )
      .execute();
    const owned = new Map(rows.map((r) => [`${r.zone}/${r.instance_name}`, r.state]));
    for (const vm of rest) {
      const state = owned.get(`${vm.zone}/${vm.name}`);
      if (state && state !== 'deleted' && state !== 'failed') continue;
      orphans.push(vm);
      if (await reportUnknownVm(ctx, vm, state ?? null, now)) report.unknown.push(`${vm.zone}/${vm.name}`);
    }
  }
  await recordOrphans(ctx.db, orphans, now);
  return report;
}

/** The scheduled run: once per 5-minute slot across replicas. */
export async function reconcileTick(ctx: WorkerContext, now: Date): Promise<ReconcileReport | null> {
  if (!(await claimPeriod(ctx.db, RECONCILE_TASK, slotKey(now, RECONCILE_MINUTES), ctx.instanceId, now))) return null;
  const report = await reconcile(ctx);
  const changes = Object.values(report).reduce((n, ids) => n + ids.length, 0);
  if (changes) ctx.log.info({ report }, 'reconciled the ledger with GCE');
  return report;
}
