import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/store.ts';
import type { WorkerContext } from '../context.ts';
import { claimPeriod, slotKey } from '../platform/scheduler.ts';
import { closeInterval, openInterval, RECONCILE_MINUTES, reportedOr, retimeInterval, stoppedAt } from '../accounting/ledger.ts';
import type { Database } from '../platform/db-schema.ts';
import { listManaged } from '../platform/compute/inventory.ts';
import type { Instance } from '../platform/compute/port.ts';
import { syncStatus } from './status.ts';
import * as demos from './store.ts';
import { recordOrphans, reportUnknownVm } from './unknown-vms.ts';
import { reconcileSuspended } from './suspend.ts';

/**
 * Makes the ledger agree with GCE. Demos the app is not busy with are compared with the instances
 * labelled managed-by=demo-vm; each drift is fixed in one transaction that changes the demo and its
 * interval together, only if the row is still what was read before listing (a change the app makes
 * meanwhile is never undone — the next round looks again).
 */

export const RECONCILE_TASK = 'accounting.reconcile'; // named before it moved from accounting; claims carry it
export const RECONCILE_CRON = `*/${RECONCILE_MINUTES} * * * *`;
const STOPPED: Instance['status'][] = ['STOPPED', 'TERMINATED', 'SUSPENDED'];

export interface ReconcileReport {
  stopped: string[];
  started: string[];
  deleted: string[];
  /** Ledger repairs where GCE and the demo agreed but the interval did not. */
  repaired: string[];
  /** Intervals moved to GCE's start and stop times (app timing after an outage, runs the app never saw). */
  retimed: string[];
  unknown: string[];
}

/** The demo's newest interval, and where the one before it ended (a start never moves before that). */
interface Latest {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  lastSeenAt: Date | null;
  prevEnd: Date | null;
}

interface Seen extends Pick<demos.Demo, 'id' | 'ownerId' | 'imageId' | 'instanceName' | 'zone' | 'machineType'> {
  state: 'running' | 'stopped';
  progress: string;
  updatedAt: Date;
  latest: Latest | null;
}

/** Running and stopped demos the app is not acting on right now, with their newest interval. */
async function settledDemos(ctx: WorkerContext): Promise<Seen[]> {
  const rows = await ctx.db
    .selectFrom('demos as d')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('usage_intervals as u')
          .select(['u.id', 'u.started_at', 'u.ended_at', 'u.last_seen_at'])
          .select((e) =>
            e
              .selectFrom('usage_intervals as p')
              .select((p) => p.fn.max('p.ended_at').as('e'))
              .whereRef('p.demo_id', '=', 'u.demo_id')
              .whereRef('p.started_at', '<', 'u.started_at')
              .as('prev_end'),
          )
          .whereRef('u.demo_id', '=', 'd.id')
          .orderBy('u.started_at', 'desc')
          .limit(1)
          .as('l'),
      (j) => j.onTrue(),
    )
    .select(['d.id', 'd.owner_id', 'd.image_id', 'd.instance_name', 'd.zone', 'd.machine_type', 'd.state', 'd.progress', 'd.updated_at'])
    .select(['l.id as interval_id', 'l.started_at', 'l.ended_at', 'l.last_seen_at', 'l.prev_end'])
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
    latest:
      r.interval_id === null
        ? null
        : { id: r.interval_id, startedAt: r.started_at!, endedAt: r.ended_at, lastSeenAt: r.last_seen_at, prevEnd: r.prev_end ? new Date(r.prev_end) : null },
  }));
}

type Fix = {
  kind: keyof Omit<ReconcileReport, 'unknown'>;
  to?: { state: 'running' | 'stopped' | 'deleted'; progress: 'ready' | 'idle'; external_ip?: string | null; internal_ip?: string | null };
  /** What the ledger gets, in the transaction that re-checked the demo and its newest interval. */
  ledger: (trx: Transaction<Database>) => Promise<unknown>;
  /** The time the fix is based on (logs and audit). */
  at: Date;
};

const after = (a: Date | null | undefined, b: Date) => !!a && a.getTime() > b.getTime();
const notBefore = (a: Date, floor: Date | null) => (floor && floor > a ? floor : a);

/** GCE's stop time of a VM that is not running: a suspend counts as a stop. */
const stopTimeOf = (vm: Instance) => (vm.status === 'SUSPENDED' ? vm.lastSuspendedAt : vm.lastStopAt);

/** What to do about one settled demo, given what GCE shows (undefined: the VM is gone). */
function decide(d: Seen, vm: Instance | undefined, now: Date): Fix | null {
  const subject = demos.intervalSubject(d);
  const open = d.latest?.endedAt === null;
  if (!vm) {
    // No stop time to read: charge up to the last sighting plus at most one period (when it was gone by the next look), and say it is a guess.
    const seen = d.latest?.lastSeenAt;
    const at = seen && open ? new Date(Math.min(now.getTime(), seen.getTime() + RECONCILE_MINUTES * 60_000)) : now;
    return {
      kind: 'deleted',
      to: { state: 'deleted', progress: 'idle', external_ip: null },
      ledger: (trx) => closeInterval(trx, d.id, at, { estimated: true }),
      at,
    };
  }
  const running = vm.status === 'RUNNING';
  const stopped = STOPPED.includes(vm.status);
  const startAt = reportedOr(vm.lastStartAt, now);
  const close = (kind: Fix['kind'], to?: Fix['to']): Fix => {
    const rule = stoppedAt(stopTimeOf(vm), now);
    return { kind, to, ledger: (trx) => closeInterval(trx, d.id, rule), at: d.latest ? rule(d.latest) : now };
  };
  const reopen = (kind: Fix['kind'], to?: Fix['to']): Fix => ({
    kind,
    to,
    ledger: (trx) => openInterval(trx, subject, { startedAt: startAt, seenAt: now }, 'reconciler'),
    at: startAt,
  });
  if (d.state === 'running' && stopped) return close('stopped', { state: 'stopped', progress: 'idle', external_ip: null });
  if (d.state === 'stopped' && running)
    return reopen('started', { state: 'running', progress: 'ready', external_ip: vm.externalIp ?? null, internal_ip: vm.internalIp ?? null });
  if (d.state === 'running' && running && !open) return reopen('repaired');
  if (d.state === 'stopped' && stopped && open) return close('repaired');
  if (d.latest && ((running && open) || (stopped && !open))) return retime(d, d.latest, vm, now);
  return null; // GCE is between states: look again next round
}

/** Demo, VM and ledger agree on running or stopped: do the newest interval's ends match GCE's times? */
function retime(d: Seen, l: Latest, vm: Instance, now: Date): Fix | null {
  const start = vm.lastStartAt;
  const stop = stopTimeOf(vm);
  if (!start || after(start, now) || after(stop, now)) return null; // a clock ahead of ours: wait for it
  const subject = demos.intervalSubject(d);
  if (after(start, l.startedAt)) {
    // Started again since the interval began: a stop and start between two looks, or a whole unseen run.
    if (l.endedAt === null && stop && after(stop, l.startedAt) && after(start, stop)) {
      return {
        kind: 'retimed',
        ledger: async (trx) => {
          await closeInterval(trx, d.id, stop);
          await openInterval(trx, subject, { startedAt: start, seenAt: now }, 'reconciler');
        },
        at: stop,
      };
    }
    if (l.endedAt && !after(l.endedAt, start) && stop && after(stop, start)) {
      return {
        kind: 'retimed',
        ledger: async (trx) => {
          await openInterval(trx, subject, { startedAt: start, seenAt: now }, 'reconciler');
          await closeInterval(trx, d.id, stop);
        },
        at: start,
      };
    }
    return null;
  }
  // The same run: it began when GCE says (never before the previous interval ended) and, stopped, ended then.
  const startedAt = notBefore(start, l.prevEnd);
  const endedAt = l.endedAt && stop && after(stop, l.startedAt) ? stop : l.endedAt;
  const moves = {
    ...(startedAt < l.startedAt ? { startedAt } : {}),
    ...(endedAt && l.endedAt && endedAt.getTime() !== l.endedAt.getTime() ? { endedAt } : {}),
  };
  if (!moves.startedAt && !moves.endedAt) return null;
  return { kind: 'retimed', ledger: (trx) => retimeInterval(trx, l.id, moves), at: moves.startedAt ?? moves.endedAt! };
}

const sameInterval = (row: { id: string; started_at: Date; ended_at: Date | null } | undefined, l: Latest | null) =>
  row
    ? !!l && row.id === l.id && row.started_at.getTime() === l.startedAt.getTime() && (row.ended_at?.getTime() ?? null) === (l.endedAt?.getTime() ?? null)
    : !l;

async function apply(ctx: WorkerContext, d: Seen, fix: Fix, now: Date): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('demos').select(['state', 'progress', 'updated_at']).where('id', '=', d.id).forUpdate().executeTakeFirst();
    if (!row || row.state !== d.state || row.progress !== d.progress || row.updated_at.getTime() !== d.updatedAt.getTime()) return false;
    const newest = await trx
      .selectFrom('usage_intervals')
      .select(['id', 'started_at', 'ended_at'])
      .where('demo_id', '=', d.id)
      .orderBy('started_at', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!sameInterval(newest, d.latest)) return false;
    await fix.ledger(trx);
    if (fix.to) await demos.transition(trx, d.id, { state: d.state, progress: d.progress as demos.Progress }, fix.to, now);
    await recordAudit(trx, {
      at: now,
      actorId: 'reconciler',
      action: `demo.drift.${fix.kind}`,
      resourceKind: 'demo',
      resourceId: d.id,
      before: { state: d.state, openInterval: d.latest?.endedAt === null },
      after: { state: fix.to?.state ?? d.state, at: fix.at.toISOString() },
    });
    return true;
  });
}

/** Open intervals of VMs GCE lists as running were seen now: the basis of an estimate should the VM vanish. */
async function markSeen(ctx: WorkerContext, vms: Instance[], now: Date): Promise<void> {
  const names = vms.filter((vm) => vm.status === 'RUNNING').map((vm) => vm.name);
  if (!names.length) return;
  await ctx.db
    .updateTable('usage_intervals')
    .set({ last_seen_at: now })
    .where('ended_at', 'is', null)
    .where('demo_id', 'in', (eb) => eb.selectFrom('demos').select('id').where('instance_name', 'in', names))
    .execute();
}

export async function reconcile(ctx: WorkerContext): Promise<ReconcileReport> {
  const report: ReconcileReport = { stopped: [], started: [], deleted: [], repaired: [], retimed: [], unknown: [] };
  // Our rows first, then GCE: whatever the app changes after this read is left alone.
  const seen = await settledDemos(ctx);
  const vms = await listManaged(ctx.compute);
  const now = ctx.clock.now();
  await markSeen(ctx, vms, now);
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
  // Suspended demos: GCE stops one after 60 days; the console can resume, stop or delete it.
  for (const { id, to } of await reconcileSuspended(ctx, byKey, now)) report[to === 'running' ? 'started' : to === 'deleted' ? 'deleted' : 'stopped'].push(id);
  // Labelled VMs no settled demo accounts for: the app's own work in progress, or strays to report
  // (export workers and warm pool VMs are accounted for by their own jobs).
  const rest = [...byKey.values()].filter((vm) => vm.labels['purpose'] !== 'export' && vm.labels['purpose'] !== 'pool');
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
