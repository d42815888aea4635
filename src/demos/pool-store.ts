import { sql, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database, PoolVmsTable, PoolVmState } from '../platform/db-schema.ts';

type DbOrTrx = Db | Transaction<Database>;

export interface PoolVm {
  id: string;
  instanceName: string;
  imageId: string;
  zone: string;
  machineType: string;
  state: PoolVmState;
  createdAt: Date;
  suspendedAt: Date | null;
}

export interface PoolSize {
  imageId: string;
  /** The admin's size; with `auto`, the cap of the size that follows demand. */
  size: number;
  auto: boolean;
}

/** Pool VMs that still count against the pool's size and the global cap. */
const LIVE_POOL_STATES: PoolVmState[] = ['warming', 'ready', 'retiring'];

export async function setPoolSize(db: DbOrTrx, p: PoolSize & { by: string; now: Date }): Promise<PoolSize | null> {
  const before = await db.selectFrom('pool_sizes').select(['size', 'auto']).where('image_id', '=', p.imageId).executeTakeFirst();
  await db
    .insertInto('pool_sizes')
    .values({ image_id: p.imageId, size: p.size, auto: p.auto, set_by: p.by, updated_at: p.now })
    .onConflict((oc) => oc.column('image_id').doUpdateSet({ size: p.size, auto: p.auto, stopped_reason: null, set_by: p.by, updated_at: p.now }))
    .execute();
  return before ? { imageId: p.imageId, size: before.size, auto: before.auto } : null;
}

/** GCE cannot keep this image's VMs suspended: the pool is off, and the admin reads why. */
export async function stopPooling(db: DbOrTrx, imageId: string, reason: string, now: Date): Promise<void> {
  await db.updateTable('pool_sizes').set({ size: 0, stopped_reason: reason, set_by: 'demo-vm', updated_at: now }).where('image_id', '=', imageId).execute();
}

/** Pools the app turned off, and why. */
export async function stoppedPools(db: DbOrTrx): Promise<Array<{ imageId: string; reason: string }>> {
  const rows = await db.selectFrom('pool_sizes').select(['image_id', 'stopped_reason']).where('size', '=', 0).where('stopped_reason', 'is not', null).execute();
  return rows.map((r) => ({ imageId: r.image_id, reason: r.stopped_reason! }));
}

export async function poolSizes(db: DbOrTrx): Promise<PoolSize[]> {
  const rows = await db.selectFrom('pool_sizes').select(['image_id', 'size', 'auto']).where('size', '>', 0).orderBy('image_id').execute();
  return rows.map((r) => ({ imageId: r.image_id, size: r.size, auto: r.auto }));
}

/**
 * A pooled image that left the catalog because a newer version replaced it (the new machine image's
 * `replaces` label names it): its pool size moves to the newest replacing image.
 */
export async function followNewerVersions(trx: Transaction<Database>, now: Date): Promise<Array<{ from: string; to: string }>> {
  const { rows } = await sql<{ from_id: string; to_id: string }>`
    SELECT DISTINCT ON (old.id) old.id AS from_id, new.id AS to_id
      FROM pool_sizes s
      JOIN images old ON old.id = s.image_id AND old.deleted_at IS NOT NULL
      JOIN images new ON new.project = old.project AND new.replaces = old.gce_name AND new.deleted_at IS NULL
     WHERE s.size > 0
     ORDER BY old.id, new.created_at DESC`.execute(trx);
  for (const { from_id: from, to_id: to } of rows) {
    const size = await trx.deleteFrom('pool_sizes').where('image_id', '=', from).returning(['size', 'auto', 'set_by']).executeTakeFirstOrThrow();
    await trx
      .insertInto('pool_sizes')
      .values({ image_id: to, size: size.size, auto: size.auto, set_by: size.set_by, updated_at: now })
      .onConflict((oc) => oc.column('image_id').doNothing())
      .execute();
  }
  return rows.map((r) => ({ from: r.from_id, to: r.to_id }));
}

/** Launches of an image per day over the last two weeks, rounded up: what an `auto` pool keeps ready. */
export async function dailyLaunches(db: DbOrTrx, imageId: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - 14 * 86_400_000);
  const r = await db
    .selectFrom('demos')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('image_id', '=', imageId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Math.ceil(Number(r.n) / 14);
}

const POOL_VM_COLUMNS = ['id', 'instance_name', 'image_id', 'zone', 'machine_type', 'state', 'created_at', 'suspended_at'] as const;

function toPoolVm(r: Pick<Selectable<PoolVmsTable>, (typeof POOL_VM_COLUMNS)[number]>): PoolVm {
  return {
    id: r.id,
    instanceName: r.instance_name,
    imageId: r.image_id,
    zone: r.zone,
    machineType: r.machine_type,
    state: r.state,
    createdAt: r.created_at,
    suspendedAt: r.suspended_at,
  };
}

export async function getPoolVm(db: DbOrTrx, id: string): Promise<PoolVm | null> {
  const r = await db.selectFrom('pool_vms').select(POOL_VM_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toPoolVm(r) : null;
}

export async function livePoolVms(db: DbOrTrx): Promise<PoolVm[]> {
  const rows = await db.selectFrom('pool_vms').select(POOL_VM_COLUMNS).where('state', 'in', LIVE_POOL_STATES).orderBy('created_at').execute();
  return rows.map(toPoolVm);
}

export async function insertWarming(trx: DbOrTrx, vm: Omit<PoolVm, 'state' | 'suspendedAt'>): Promise<void> {
  await trx
    .insertInto('pool_vms')
    .values({
      id: vm.id,
      instance_name: vm.instanceName,
      image_id: vm.imageId,
      zone: vm.zone,
      machine_type: vm.machineType,
      state: 'warming',
      created_at: vm.createdAt,
    })
    .execute();
}

export async function markReady(db: DbOrTrx, id: string, at: { suspendedAt: Date; diskGb: number | null; memoryMb: number | null }): Promise<boolean> {
  const r = await db
    .updateTable('pool_vms')
    .set({ state: 'ready', suspended_at: at.suspendedAt, disk_gb: at.diskGb, memory_mb: at.memoryMb })
    .where('id', '=', id)
    .where('state', '=', 'warming')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Take them out of the pool (to be deleted): none is handed out any more. */
export async function markRetiring(db: DbOrTrx, ids: string[], reason: string): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db
    .updateTable('pool_vms')
    .set({ state: 'retiring', retire_reason: reason })
    .where('id', 'in', ids)
    .where('state', 'in', ['warming', 'ready'])
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function markGone(db: DbOrTrx, id: string, now: Date): Promise<void> {
  await db.updateTable('pool_vms').set({ state: 'gone', ended_at: now }).where('id', '=', id).where('state', '!=', 'taken').execute();
}

/**
 * Hand the oldest ready pool VM of this image, zone and machine type to a demo; null when there is none.
 * SKIP LOCKED: two launches at once take two different VMs, never the same one.
 */
export async function takeReady(trx: Transaction<Database>, want: { imageId: string; zone: string; machineType: string; demoId: string; now: Date }) {
  const taken = await trx
    .updateTable('pool_vms')
    .set({ state: 'taken', demo_id: want.demoId, ended_at: want.now })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('pool_vms')
        .select('id')
        .where('state', '=', 'ready')
        .where('image_id', '=', want.imageId)
        .where('zone', '=', want.zone)
        .where('machine_type', '=', want.machineType)
        .orderBy('suspended_at')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'instance_name'])
    .executeTakeFirst();
  return taken ? { id: taken.id, instanceName: taken.instance_name } : null;
}

/** When a pool VM was handed to this demo (null: it was not). */
export async function handedOutAt(db: DbOrTrx, demoId: string): Promise<Date | null> {
  const r = await db.selectFrom('pool_vms').select('ended_at').where('demo_id', '=', demoId).executeTakeFirst();
  return r?.ended_at ?? null;
}
