import type { AppContext } from '../context.ts';
import { recordAudit } from '../audit/store.ts';
import * as catalog from '../catalog/service.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { can, type Actor } from '../policy.ts';
import { planLaunch, TICK_SECONDS } from './booking-plan.ts';
import { bookingReminder, type Booking } from './booking-views.ts';
import { DemoJobs } from './ids.ts';
import { appTarget } from './status.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';

/**
 * Bookings (#25): a `booked` demo has no VM until the app starts it. A task once a minute (across
 * replicas) re-plans each booking due within the hour (the pool and the launch history may have
 * changed since it was booked), starts the due ones through the usual launch job, and reminds owners
 * 10 minutes before their time when they have not opened the demo yet.
 */

/** Bookings due within this window are re-planned every minute; later ones keep their plan. */
const REPLAN_WINDOW_MS = 60 * 60_000;
export const REMIND_BEFORE_MS = 10 * 60_000;
export const BOOKINGS_TASK = 'demo-bookings';
export const REMINDER_EVENT = 'demo_vm_booking_reminder';

/** Start a booked demo now: it becomes a launch like any other (pool hand-out included). */
async function start(ctx: AppContext, demo: Demo, now: Date): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('demos')
      .set({ state: 'provisioning', launch_at: now, updated_at: now })
      .where('id', '=', demo.id)
      .where('state', '=', 'booked')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false; // cancelled meanwhile, or another replica started it
    await ctx.jobs.send(DemoJobs.launch, { demoId: demo.id }, { trx });
    return true;
  });
}

/** Re-plan the bookings due soon and start those whose launch time has come (by the next tick it would be late). */
async function startDue(ctx: AppContext, now: Date): Promise<number> {
  const rows = await ctx.db
    .selectFrom('demos')
    .selectAll()
    .where('state', '=', 'booked')
    .where('launch_at', '<=', new Date(now.getTime() + REPLAN_WINDOW_MS))
    .orderBy('ready_by')
    .limit(500)
    .execute();
  let started = 0;
  for (const demo of rows.map(store.toDemo)) {
    const plan = await planLaunch(ctx.db, { id: demo.id, imageId: demo.imageId, zone: demo.zone, machineType: demo.machineType, readyBy: demo.readyBy! });
    if (plan.launchAt.getTime() < now.getTime() + TICK_SECONDS * 1000) {
      if (await start(ctx, demo, now)) {
        started++;
        ctx.log.info(
          { demoId: demo.id, readyBy: demo.readyBy, expectedSeconds: plan.expectedSeconds, basis: plan.basis, pooled: plan.pooled },
          'booked demo started',
        );
      }
    } else if (plan.launchAt.getTime() !== demo.launchAt?.getTime()) {
      await ctx.db.updateTable('demos').set({ launch_at: plan.launchAt }).where('id', '=', demo.id).where('state', '=', 'booked').execute();
    }
  }
  return started;
}

/** 10 minutes before a booking's time, unless the demo was opened already: one DM, claimed by reminded_at. */
async function remind(ctx: AppContext, now: Date): Promise<number> {
  const rows = await ctx.db
    .selectFrom('demos')
    .selectAll()
    .where('ready_by', 'is not', null)
    .where('reminded_at', 'is', null)
    .where('opened_at', 'is', null)
    .where('state', 'in', ['booked', 'provisioning', 'running'])
    .where('ready_by', '<=', new Date(now.getTime() + REMIND_BEFORE_MS))
    .where('ready_by', '>', now)
    .limit(500)
    .execute();
  let reminded = 0;
  for (const demo of rows.map(store.toDemo)) {
    const claimed = await ctx.db.updateTable('demos').set({ reminded_at: now }).where('id', '=', demo.id).where('reminded_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    try {
      const image = await catalog.getImage(ctx.db, demo.imageId);
      const appUrl = demo.state === 'running' ? (appTarget(ctx, demo, image?.app ?? null)?.url ?? null) : null;
      const message = bookingReminder({ demo, title: image?.title ?? demo.displayName, appUrl });
      await postOnce(ctx.slack, ctx.poster, { channel: demo.ownerId, eventType: REMINDER_EVENT, key: demo.id, ...message });
      reminded++;
    } catch (err) {
      ctx.log.error({ err, demoId: demo.id }, 'could not send a booking reminder; the next run tries again');
      await ctx.db.updateTable('demos').set({ reminded_at: null }).where('id', '=', demo.id).where('reminded_at', '=', now).execute();
    }
  }
  return reminded;
}

export async function sweepBookings(ctx: AppContext, now: Date): Promise<{ started: number; reminded: number }> {
  return { started: await startDue(ctx, now), reminded: await remind(ctx, now) };
}

/** Cancel a booking before it starts: nothing was created, nothing is charged. Owner, approvers and admins. */
export async function cancelBooking(ctx: AppContext, actor: Actor, demoId: string): Promise<Demo> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo || !demo.readyBy) throw new NotFoundError('That booking no longer exists.');
  const decision = can(actor, 'cancel_booking', { kind: 'demo', ownerId: demo.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (demo.state === 'cancelled') return demo; // a double click
  const now = ctx.clock.now();
  const cancelled = await ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(trx, demo.id, { state: 'booked' }, { state: 'cancelled', progress: 'idle' }, now);
    if (ok)
      await recordAudit(trx, {
        at: now,
        actorId: actor.userId,
        action: 'demo.cancel_booking',
        resourceKind: 'demo',
        resourceId: demo.id,
        before: { state: 'booked', readyBy: demo.readyBy },
        after: { state: 'cancelled' },
      });
    return ok;
  });
  if (!cancelled)
    throw new UserError(`*${demo.displayName}* has started already (it is ${demo.state}): delete it from its message or my Home tab if you no longer need it.`);
  await ctx.events.emit('demos-changed', { userId: demo.ownerId });
  return (await store.getDemo(ctx.db, demo.id))!;
}

/** A user's bookings still to start, soonest first (Home, `/demo list`). */
export async function upcomingBookings(ctx: AppContext, opts: { ownerId?: string; limit: number }): Promise<Booking[]> {
  let q = ctx.db
    .selectFrom('demos')
    .leftJoin('images', 'images.id', 'demos.image_id')
    .selectAll('demos')
    .select('images.title')
    .where('demos.state', '=', 'booked')
    .orderBy('demos.ready_by')
    .limit(opts.limit);
  if (opts.ownerId) q = q.where('demos.owner_id', '=', opts.ownerId);
  const rows = await q.execute();
  return rows.map((r) => {
    const demo = store.toDemo(r);
    return { demo, title: r.title ?? demo.displayName };
  });
}
