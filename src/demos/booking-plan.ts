import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database } from '../platform/db-schema.ts';

type DbOrTrx = Db | Transaction<Database>;

/**
 * When to start a booked demo so that it is ready by its time, and no earlier than it must be (a VM
 * running before its time is paid for): ready_by minus the launch time we expect, minus a margin.
 *
 * The expected launch time is the image's own history: the p95 of its last launches' ready_seconds
 * (start → the VM RUNNING), the pooled ones apart from the cloned ones. Without enough history: a pooled
 * launch is a resume (a minute is generous), and a clone takes what the timing model says. A clone's app
 * still has to start after RUNNING (a pooled clone's app is running already): the model's figure for
 * that is added to a clone's history, so the booked app answers by its time, not only its VM.
 */

/** Launches of an image it takes before its own p95 replaces the model's figure. */
export const MIN_HISTORY = 5;
/** The history read: the image's latest launches of that kind. */
const HISTORY = 50;
/** A pooled launch without history: labels, resume, RUNNING. */
export const POOLED_DEFAULT_SECONDS = 60;
/** Scheduled tasks run once a minute: a start is due at the last tick not after launch_at. */
export const TICK_SECONDS = 60;

type ModelInputs = { storageGb: number | null; appStartSeconds: number | null; hasApp: boolean };

/** The timing model's RUNNING → the app answering: the OS up in 17 s, then the image's app (its `app-start-seconds` label, else 60 s). */
export function modelAppUpSeconds(image: ModelInputs): number {
  return image.hasApp ? 17 + (image.appStartSeconds ?? 60) : 0;
}

/**
 * The timing model's clone figure (docs/SIMULATOR.md, realistic profile): insert from a machine image
 * 15 s + 1.5 s per GB, then the OS and the app (modelAppUpSeconds).
 */
export function modelCloneSeconds(image: ModelInputs): number {
  return Math.round(15 + 1.5 * (image.storageGb ?? 10) + modelAppUpSeconds(image));
}

/** A margin for what the p95 misses: a fifth of the launch time, at least a minute. */
export function marginSeconds(leadSeconds: number): number {
  return Math.max(60, Math.round(leadSeconds * 0.2));
}

export interface LaunchPlan {
  launchAt: Date;
  /** Expected start → ready, and where the figure came from. */
  expectedSeconds: number;
  basis: 'history' | 'model' | 'pool default';
  pooled: boolean;
}

/** ready_by − expected − margin (pure). */
export function planFor(readyBy: Date, expectedSeconds: number, basis: LaunchPlan['basis'], pooled: boolean): LaunchPlan {
  const lead = expectedSeconds + marginSeconds(expectedSeconds);
  return { launchAt: new Date(readyBy.getTime() - lead * 1000), expectedSeconds, basis, pooled };
}

/** p95 of the image's latest launches of one kind (pooled or cloned), or null with too little history. */
async function observedP95(db: DbOrTrx, imageId: string, fromPool: boolean): Promise<number | null> {
  const latest = db
    .selectFrom('demos')
    .select('ready_seconds')
    .where('image_id', '=', imageId)
    .where('from_pool', '=', fromPool)
    .where('ready_seconds', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(HISTORY)
    .as('latest');
  const row = await db
    .selectFrom(latest)
    .select([sql<number | null>`percentile_cont(0.95) WITHIN GROUP (ORDER BY ready_seconds)`.as('p95'), (eb) => eb.fn.countAll<string>().as('n')])
    .executeTakeFirstOrThrow();
  return Number(row.n) >= MIN_HISTORY && row.p95 !== null ? Math.ceil(Number(row.p95)) : null;
}

/** The model's inputs from the catalog row: its size and its app (a tag `app-start-seconds:N` from the label). */
async function modelInputs(db: DbOrTrx, imageId: string): Promise<ModelInputs> {
  const image = await db.selectFrom('images').select(['storage_bytes', 'tags', 'app_port']).where('id', '=', imageId).executeTakeFirst();
  const tag = image?.tags.find((t) => t.startsWith('app-start-seconds:'));
  const label = tag ? Number(tag.slice('app-start-seconds:'.length)) : NaN;
  return {
    storageGb: image?.storage_bytes ? Number(image.storage_bytes) / 1024 ** 3 : null,
    appStartSeconds: Number.isFinite(label) && label >= 0 ? label : null,
    hasApp: image?.app_port !== null && image?.app_port !== undefined,
  };
}

/**
 * Will this booking find a ready pool VM when it starts? Only if the image's pool holds more ready
 * clones (for its zone and type) than the bookings due before it will take.
 */
async function poolWillServe(db: DbOrTrx, b: { id?: string; imageId: string; zone: string; machineType: string; readyBy: Date }): Promise<boolean> {
  const ready = await db
    .selectFrom('pool_vms')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('image_id', '=', b.imageId)
    .where('zone', '=', b.zone)
    .where('machine_type', '=', b.machineType)
    .where('state', '=', 'ready')
    .executeTakeFirstOrThrow();
  if (Number(ready.n) === 0) return false;
  let ahead = db
    .selectFrom('demos')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('state', '=', 'booked')
    .where('image_id', '=', b.imageId)
    .where('zone', '=', b.zone)
    .where('machine_type', '=', b.machineType)
    .where('ready_by', '<', b.readyBy);
  if (b.id) ahead = ahead.where('id', '<>', b.id);
  return Number(ready.n) > Number((await ahead.executeTakeFirstOrThrow()).n);
}

/** The plan for a booking as things stand (pool, history): at booking, and again each minute while it waits. */
export async function planLaunch(db: DbOrTrx, b: { id?: string; imageId: string; zone: string; machineType: string; readyBy: Date }): Promise<LaunchPlan> {
  const pooled = await poolWillServe(db, b);
  const observed = await observedP95(db, b.imageId, pooled);
  if (pooled) return planFor(b.readyBy, observed ?? POOLED_DEFAULT_SECONDS, observed === null ? 'pool default' : 'history', true);
  const image = await modelInputs(db, b.imageId);
  if (observed !== null) return planFor(b.readyBy, observed + modelAppUpSeconds(image), 'history', false);
  return planFor(b.readyBy, modelCloneSeconds(image), 'model', false);
}
