import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { listForZones, type StoredMachineType } from '../machine-types/store.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { can, type Actor } from '../policy.ts';
import * as catalog from '../catalog/service.ts';
import { assertLaunchWithinBudget, budgetStatus } from '../budgets/service.ts';
import { hourlyPrice } from '../accounting/store.ts';
import { discountFactor } from '../prices/store.ts';
import { DemoJobs } from './ids.ts';
import { assertLaunchesOpen } from './pause.ts';
import * as store from './store.ts';
import type { Demo, Progress } from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { claimSubmission } from '../platform/submissions.ts';
import { rememberOwnerName } from '../sharing/owner-names.ts';
import { defaultZoneFor, zoneRefusal, zonesFor } from './placement.ts';
import { planLaunch, TICK_SECONDS } from './booking-plan.ts';

export interface LaunchRequest {
  imageId: string;
  zone: string;
  machineType: string;
  ttlHours: number;
  /** Idempotency key from Slack (view id, or button + message): one demo per key. */
  submissionKey: string;
  /** A booking: ready by this time (its lifetime starts then); absent or now: launch at once. */
  readyBy?: Date;
}

/** A machine type offered in the launch modal, with its size once the worker has read it from GCE. */
export interface MachineTypeChoice {
  name: string;
  size?: Pick<StoredMachineType, 'guestCpus' | 'memoryMb' | 'isSharedCpu'>;
  /** Per hour in the picked zone's region, discount applied; null: "price unknown". */
  hourlyPrice: number | null;
}

/** What the user picked in the launch modal (each falls back to the default). */
export interface LaunchPick {
  zone: string;
  machineType: string;
  ttl: number;
}

export interface LaunchOptions {
  zones: string[];
  machineTypes: MachineTypeChoice[];
  ttlChoices: number[];
  picked: LaunchPick;
  /** The admin's discount factor (1: list prices). */
  discount: number;
  /** The user's monthly budget and what is spent or reserved of it (absent when no user is known). */
  budget?: { limit: number; committed: number };
}

/**
 * The launch modal's choices for an image: only zones it can run in (see placement.ts), each machine
 * type with its size and hourly price in the picked zone, and the user's budget; `pick` is what the
 * user has chosen so far (a choice no longer offered falls back to the default).
 */
export async function launchOptions(
  ctx: AppContext,
  image: { region: string | null },
  userId?: string,
  pick: Partial<LaunchPick> = {},
): Promise<LaunchOptions> {
  const { ttlHours, maxTtlHours } = ctx.config.demo;
  const zones = zonesFor(ctx.config, image.region);
  if (!zones.length) throw new UserError(zoneRefusal(ctx.config, image.region, ctx.config.gce.defaultZone)!);
  const { machineTypes, defaultMachineType, project } = ctx.config.gce;
  const defaultZone = defaultZoneFor(ctx.config, image.region)!;
  const ttlChoices = [...new Set([2, 4, ttlHours, 24, 72].filter((h) => h <= maxTtlHours))].sort((a, b) => a - b);
  const picked: LaunchPick = {
    zone: pick.zone && zones.includes(pick.zone) ? pick.zone : defaultZone,
    machineType: pick.machineType && machineTypes.includes(pick.machineType) ? pick.machineType : defaultMachineType,
    ttl: pick.ttl && ttlChoices.includes(pick.ttl) ? pick.ttl : ttlHours,
  };
  const sizes = new Map((await listForZones(ctx.db, project, [picked.zone])).map((t) => [t.name, t]));
  const now = ctx.clock.now();
  const [prices, discount, budget] = await Promise.all([
    Promise.all(machineTypes.map((name) => hourlyPrice(ctx.db, name, picked.zone))),
    discountFactor(ctx.db),
    userId ? budgetStatus(ctx.db, ctx.config, userId, now) : undefined,
  ]);
  return {
    zones,
    machineTypes: machineTypes.map((name, i) => ({ name, size: sizes.get(name), hourlyPrice: prices[i] ?? null })),
    ttlChoices,
    picked,
    discount,
    ...(budget ? { budget: { limit: budget.monthlyLimit, committed: budget.spent + budget.reserved } } : {}),
  };
}

/** GCE names and label values: lowercase, digits, dashes; 63 characters at most. */
export function instanceNameFor(demoId: string): string {
  return `demo-${demoId.replaceAll('-', '')}`;
}

export function demoLabels(demo: { id: string; ownerId: string }): Record<string, string> {
  return {
    'managed-by': 'demo-vm',
    'demo-id': demo.id,
    owner: demo.ownerId
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '_')
      .slice(0, 63),
  };
}

/**
 * Create the demo and its launch job in one transaction. A repeated submission key (double click,
 * Slack retry) returns the demo the first one created. A booking (readyBy ahead) is a `booked` row
 * with no VM and no job: the bookings task starts it at its launch_at (booking.ts).
 */
export async function launch(ctx: AppContext, actor: Actor, req: LaunchRequest): Promise<{ demo: Demo; created: boolean }> {
  await assertLaunchesOpen(ctx);
  const { machineTypes } = ctx.config.gce;
  if (!machineTypes.includes(req.machineType))
    throw new UserError(`Machine type \`${req.machineType}\` is not allowed here; pick one of ${machineTypes.join(', ')}.`);
  if (!Number.isInteger(req.ttlHours) || req.ttlHours < 1 || req.ttlHours > ctx.config.demo.maxTtlHours) {
    throw new UserError(`A demo can live between 1 and ${ctx.config.demo.maxTtlHours} hours.`);
  }
  const image = await catalog.launchableImage(ctx, actor, req.imageId);
  // A forged or stale form can name any zone: the image's region decides (GCE would refuse it later).
  const refusal = zoneRefusal(ctx.config, image.region, req.zone);
  if (refusal) throw new UserError(refusal);
  // The demo's display name carries the owner's Slack handle (the database reads it from user_names).
  await rememberOwnerName(ctx, actor.userId);
  const now = ctx.clock.now();
  const readyBy = bookedTime(req.readyBy, now);
  const id = randomUUID();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const existing = await claimSubmission(trx, req.submissionKey, 'launch', id, now);
    if (existing) {
      const demo = await store.getDemo(trx, existing);
      if (!demo) throw new Error(`submission ${req.submissionKey} points at a missing demo`);
      return { demo, created: false };
    }
    await assertLaunchWithinBudget(trx, ctx.config, { userId: actor.userId, machineType: req.machineType, zone: req.zone, ttlHours: req.ttlHours }, now);
    const plan = readyBy && (await planLaunch(trx, { imageId: image.id, zone: req.zone, machineType: req.machineType, readyBy }));
    // Due already (a time closer than the launch takes): started at once, still ready "for" its time.
    const booked = plan && plan.launchAt.getTime() >= now.getTime() + TICK_SECONDS * 1000;
    await trx
      .insertInto('demos')
      .values({
        id,
        owner_id: actor.userId,
        image_id: image.id,
        instance_name: instanceNameFor(id),
        zone: req.zone,
        machine_type: req.machineType,
        state: booked ? 'booked' : 'provisioning',
        progress: 'queued',
        expires_at: new Date((readyBy ?? now).getTime() + req.ttlHours * 3_600_000),
        ready_by: readyBy,
        launch_at: plan ? (booked ? plan.launchAt : now) : null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: readyBy ? 'demo.book' : 'demo.launch',
      resourceKind: 'demo',
      resourceId: id,
      after: {
        image: image.gceName,
        zone: req.zone,
        machineType: req.machineType,
        ttlHours: req.ttlHours,
        ...(plan ? { readyBy, launchAt: plan.launchAt, expectedSeconds: plan.expectedSeconds, basis: plan.basis } : {}),
      },
      requestId: req.submissionKey,
    });
    if (!booked) await ctx.jobs.send(DemoJobs.launch, { demoId: id }, { trx });
    return { demo: (await store.getDemo(trx, id))!, created: true };
  });
  // A launch's DM and Home follow its job; a booking has no job yet, so its Home shows it now.
  if (result.created && result.demo.state === 'booked') await ctx.events.emit('demos-changed', { userId: actor.userId });
  return result;
}

/** How far ahead a demo may be booked. */
export const BOOK_AHEAD_DAYS = 14;

/**
 * A requested ready-by time as a booking: null for "now" (within a minute either way); a time past or
 * beyond BOOK_AHEAD_DAYS is refused with what to do.
 */
export function bookedTime(readyBy: Date | undefined, now: Date): Date | null {
  if (!readyBy) return null;
  const ahead = readyBy.getTime() - now.getTime();
  if (ahead < -60_000) throw new UserError('That time has passed: pick a time ahead, or leave "Ready by" as it is to launch now.');
  if (ahead > BOOK_AHEAD_DAYS * 86_400_000) throw new UserError(`A demo can be booked up to ${BOOK_AHEAD_DAYS} days ahead.`);
  return ahead > 60_000 ? readyBy : null;
}

export type PowerAction = 'stop' | 'start' | 'delete';

const POWER: Record<PowerAction, { from: Demo['state'][]; fromProgress: Progress[]; progress: Progress; busy: string }> = {
  stop: { from: ['running'], fromProgress: ['ready'], progress: 'stopping', busy: 'It is not running' },
  start: { from: ['stopped'], fromProgress: ['idle'], progress: 'starting', busy: 'It is not stopped' },
  delete: {
    from: ['running', 'suspended', 'stopped', 'failed'],
    fromProgress: ['ready', 'idle', 'queued', 'creating', 'booting'],
    progress: 'deleting',
    busy: 'It is busy or already deleted',
  },
};

/**
 * Stop, start or delete: checked, then claimed by a conditional update (a double click claims once),
 * then done by a durable job.
 */
export async function requestPower(ctx: AppContext, actor: Actor, demoId: string, action: PowerAction): Promise<Demo> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo) throw new NotFoundError('That demo no longer exists.');
  const decision = can(actor, action, { kind: 'demo', ownerId: demo.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const rule = POWER[action];
  const now = ctx.clock.now();
  // The lease counts from launch; a VM stopped at expiry starts again only after an Extend.
  if (action === 'start' && demo.expiresAt <= now) {
    throw new UserError(
      `The time of *${demo.displayName}* ran out. Press *Extend* (Home tab or the reminder) to start it again, or *Save* it and resume later.`,
    );
  }
  const claimed = await ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(trx, demoId, { state: rule.from, progress: rule.fromProgress }, { progress: rule.progress }, now);
    if (!ok) return false;
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: `demo.${action}`,
      resourceKind: 'demo',
      resourceId: demoId,
      before: { state: demo.state, progress: demo.progress },
      after: { progress: rule.progress },
    });
    await ctx.jobs.send(DemoJobs.power, { demoId, action, requestId: randomUUID() }, { trx });
    return true;
  });
  const current = (await store.getDemo(ctx.db, demoId))!;
  if (!claimed) {
    if (current.progress === rule.progress) return current; // the same request, already under way
    throw new UserError(`Can't ${action} *${current.displayName}* right now: ${rule.busy.toLowerCase()} (it is ${describeState(current)}).`);
  }
  return current;
}

export function describeState(d: Demo): string {
  if (d.state === 'provisioning') return `being created (${d.progress})`;
  if (d.progress === 'stopping' || d.progress === 'starting' || d.progress === 'deleting') return d.progress;
  return d.state;
}

export async function myDemos(ctx: AppContext, userId: string): Promise<Demo[]> {
  return store.listForOwner(ctx.db, userId, { live: true, limit: 20 });
}

/** After a stockout: the same launch in another zone, one click, one demo. */
export async function retryInZone(ctx: AppContext, actor: Actor, failedDemoId: string, zone: string): Promise<{ demo: Demo; created: boolean }> {
  const failed = await store.getDemo(ctx.db, failedDemoId);
  if (!failed) throw new NotFoundError('That demo no longer exists.');
  const decision = can(actor, 'launch', { kind: 'demo', ownerId: failed.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const ttlHours = Math.max(1, Math.round((failed.expiresAt.getTime() - (failed.readyBy ?? failed.createdAt).getTime()) / 3_600_000));
  return launch(ctx, actor, { imageId: failed.imageId, zone, machineType: failed.machineType, ttlHours, submissionKey: `retry-zone:${failedDemoId}:${zone}` });
}

/** Someone pressed "Open the app": the demo is in use (bookings' reminders and idle checks read it). */
export async function markOpened(ctx: AppContext, demoId: string): Promise<void> {
  await store.markOpened(ctx.db, demoId, ctx.clock.now());
}

export { getDemo } from './store.ts';
