import type { Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database, DemoRow, DemoState } from '../platform/db-schema.ts';
import type { IntervalSubject } from '../accounting/ledger.ts';

export type Progress = 'queued' | 'creating' | 'booting' | 'ready' | 'stopping' | 'starting' | 'deleting' | 'idle' | 'suspending' | 'resuming';

export interface Demo {
  id: string;
  ownerId: string;
  imageId: string;
  /** The GCE instance (derived from the id); people read and type displayName. */
  instanceName: string;
  displayName: string;
  zone: string;
  machineType: string;
  state: DemoState;
  progress: Progress;
  failureReason: string | null;
  failureKind: string | null;
  externalIp: string | null;
  internalIp: string | null;
  appReady: boolean | null;
  dmChannel: string | null;
  dmTs: string | null;
  expiresAt: Date;
  createdAt: Date;
  /** Handed out from the warm pool (a suspended clone resumed) rather than cloned for it. */
  fromPool: boolean;
  /** Submission → ready, once it was. */
  readySeconds: number | null;
  /** The last press of its "Open the app" button (by anyone). */
  openedAt: Date | null;
  /** Idle suspension: the VM's GCE id, the latest activity seen, and the idle warning out (its period and DM). */
  instanceId: string | null;
  activeAt: Date | null;
  idleSince: Date | null;
  idleWarnedAt: Date | null;
  idleDmChannel: string | null;
  idleDmTs: string | null;
  /** A booking's ready-by time (its lifetime counts from there); null for a launch. */
  readyBy: Date | null;
  /** When the app will start a booked demo (then: when it did). */
  launchAt: Date | null;
}

/** What the demo's usage is charged to. */
export function intervalSubject(d: Pick<Demo, 'id' | 'ownerId' | 'imageId' | 'machineType' | 'zone'>): IntervalSubject {
  return { demoId: d.id, userId: d.ownerId, imageId: d.imageId, machineType: d.machineType, zone: d.zone };
}

export function toDemo(r: DemoRow): Demo {
  return {
    id: r.id,
    ownerId: r.owner_id,
    imageId: r.image_id,
    instanceName: r.instance_name,
    displayName: r.display_name,
    zone: r.zone,
    machineType: r.machine_type,
    state: r.state,
    progress: r.progress as Progress,
    failureReason: r.failure_reason,
    failureKind: r.failure_kind,
    externalIp: r.external_ip,
    internalIp: r.internal_ip,
    appReady: r.app_ready,
    dmChannel: r.dm_channel,
    dmTs: r.dm_ts,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    fromPool: r.from_pool,
    readySeconds: r.ready_seconds,
    openedAt: r.opened_at,
    instanceId: r.instance_id,
    activeAt: r.active_at,
    idleSince: r.idle_since,
    idleWarnedAt: r.idle_warned_at,
    idleDmChannel: r.idle_dm_channel,
    idleDmTs: r.idle_dm_ts,
    readyBy: r.ready_by,
    launchAt: r.launch_at,
  };
}

type DbOrTrx = Db | Transaction<Database>;

export async function getDemo(db: DbOrTrx, id: string, opts: { forUpdate?: boolean } = {}): Promise<Demo | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  let q = db.selectFrom('demos').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toDemo(row) : null;
}

export async function listForOwner(db: Db, ownerId: string, opts: { live?: boolean; limit: number }): Promise<Demo[]> {
  let q = db.selectFrom('demos').selectAll().where('owner_id', '=', ownerId);
  if (opts.live) q = q.where('state', 'in', ['provisioning', 'running', 'suspended', 'stopped', 'saving']);
  const rows = await q.orderBy('created_at', 'desc').limit(opts.limit).execute();
  return rows.map(toDemo);
}

/**
 * Move a demo from one state/progress to another only if it is still where the caller saw it:
 * the transition that loses a race (double click, two replicas) changes nothing and says so.
 */
export async function transition(
  db: DbOrTrx,
  id: string,
  from: { state: DemoState | DemoState[]; progress?: Progress | Progress[] },
  to: Partial<{
    state: DemoState;
    progress: Progress;
    failure_reason: string | null;
    failure_kind: string | null;
    external_ip: string | null;
    internal_ip: string | null;
    app_ready: boolean | null;
    ready_seconds: number;
  }>,
  now: Date,
): Promise<boolean> {
  let q = db
    .updateTable('demos')
    .set({ ...to, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', Array.isArray(from.state) ? from.state : [from.state]);
  if (from.progress) q = q.where('progress', 'in', Array.isArray(from.progress) ? from.progress : [from.progress]);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function setStatusMessage(db: DbOrTrx, id: string, channel: string, ts: string): Promise<void> {
  await db.updateTable('demos').set({ dm_channel: channel, dm_ts: ts }).where('id', '=', id).execute();
}

export async function markOpened(db: DbOrTrx, id: string, at: Date): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return;
  await db.updateTable('demos').set({ opened_at: at }).where('id', '=', id).execute();
}
