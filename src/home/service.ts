import { tz } from '@date-fns/tz';
import { startOfWeek } from 'date-fns/startOfWeek'; // not the index: it loads every date-fns function
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { fleet, type Fleet } from '../demos/fleet.ts';
import { myImages, type SavedImage } from '../demos/image-store.ts';
import { extendTarget } from '../demos/lease.ts';
import { pauseState, type PauseState } from '../demos/pause.ts';
import { toDemo, type Demo } from '../demos/store.ts';
import { upcomingBookings } from '../demos/booking.ts';
import type { Booking } from '../demos/booking-views.ts';
import { homeView } from './views.ts';
import { budgetStatus, type BudgetStatus } from '../budgets/service.ts';
import { commentDmsMuted } from '../comments/service.ts';
import { mostLaunched, type CatalogImageRef } from '../catalog/service.ts';

/** The App Home: what a user has, in one glance, within Slack's 100 blocks; "see all" pages the rest. */

export const HOME_DEMOS = 6;
export const HOME_IMAGES = 6;
export const HOME_FLEET_ROWS = 8;
export const HOME_BOOKINGS = 5;
/** Images suggested when the user has no demo. */
export const HOME_SUGGESTIONS = 3;
export const PAGE_SIZE = 10;

export interface DemoCard {
  demo: Demo;
  title: string;
  /** Where Extend would move expiry; null at the cap or when it does not apply. */
  extendTo: Date | null;
}

export interface HomeData {
  userId: string;
  now: Date;
  timeZone: string;
  demos: DemoCard[];
  demoTotal: number;
  images: SavedImage[];
  imageTotal: number;
  hoursThisWeek: number;
  budget: BudgetStatus;
  pendingApprovals: number | null;
  paused: PauseState;
  fleet: Fleet | null;
  extendHours: number;
  /** DMs about new comments on the user's images are muted. */
  commentDmsMuted: boolean;
  /** The most launched images the user may launch: the empty state's suggestions. */
  popular: CatalogImageRef[];
  /** Bookings still to start, soonest first. */
  bookings: Booking[];
}

const LIVE = ['provisioning', 'running', 'suspended', 'stopped', 'saving'] as const;

export async function demoCards(ctx: AppContext, userId: string, page: { offset: number; limit: number }): Promise<{ items: DemoCard[]; total: number }> {
  const now = ctx.clock.now();
  const [rows, count] = await Promise.all([
    ctx.db
      .selectFrom('demos')
      .leftJoin('images', 'images.id', 'demos.image_id')
      .selectAll('demos')
      .select('images.title')
      .where('demos.owner_id', '=', userId)
      .where('demos.state', 'in', LIVE)
      .orderBy('demos.created_at', 'desc')
      .orderBy('demos.id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    ctx.db
      .selectFrom('demos')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('owner_id', '=', userId)
      .where('state', 'in', LIVE)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => {
      const demo = toDemo(r);
      return { demo, title: r.title ?? demo.displayName, extendTo: extendTarget(ctx.config, demo, now) };
    }),
  };
}

/** VM hours of the user since Monday 00:00 in the org's time zone (open intervals count until now). */
export async function hoursThisWeek(ctx: AppContext, userId: string, now: Date): Promise<number> {
  const weekStart = new Date(startOfWeek(now, { weekStartsOn: 1, in: tz(ctx.config.orgTimeZone) }).getTime());
  const row = await ctx.db
    .selectFrom('usage_intervals')
    .select(sql<string>`coalesce(sum(extract(epoch from (least(coalesce(ended_at, ${now}), ${now}) - greatest(started_at, ${weekStart})))), 0)`.as('s'))
    .where('user_id', '=', userId)
    .where('started_at', '<', now)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', weekStart)]))
    .executeTakeFirstOrThrow();
  return Math.max(0, Number(row.s) / 3600);
}

async function pendingApprovals(ctx: AppContext, userId: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('share_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .where('requester_id', '<>', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function homeData(ctx: AppContext, userId: string): Promise<HomeData> {
  const actor = await ctx.actor(userId);
  const now = ctx.clock.now();
  const [demos, images, hours, budget, approvals, paused, fleetView, muted, popular, bookings] = await Promise.all([
    demoCards(ctx, userId, { offset: 0, limit: HOME_DEMOS }),
    myImages(ctx, userId, { offset: 0, limit: HOME_IMAGES }),
    hoursThisWeek(ctx, userId, now),
    budgetStatus(ctx.db, ctx.config, userId, now),
    actor.isApprover ? pendingApprovals(ctx, userId) : Promise.resolve(null),
    pauseState(ctx.db),
    // Orphans need a GCE listing: only in the fleet modal and /demo admin fleet, not on every refresh.
    actor.isAdmin ? fleet(ctx, actor, { limit: HOME_FLEET_ROWS, orphans: false }) : Promise.resolve(null),
    commentDmsMuted(ctx, userId),
    // In parallel rather than after the demo count: one query on the launch-count index.
    mostLaunched(ctx, userId, HOME_SUGGESTIONS),
    upcomingBookings(ctx, { ownerId: userId, limit: HOME_BOOKINGS }),
  ]);
  return {
    userId,
    now,
    timeZone: ctx.config.orgTimeZone,
    demos: demos.items,
    demoTotal: demos.total,
    images: images.items,
    imageTotal: images.total,
    hoursThisWeek: hours,
    budget,
    pendingApprovals: approvals,
    paused,
    fleet: fleetView,
    extendHours: ctx.config.demo.extendHours,
    commentDmsMuted: muted,
    popular,
    bookings,
  };
}

/** Publish the Home now (the user opened it), and remember that they look at it. */
export async function publishHome(ctx: AppContext, userId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('home_tabs')
    .values({ user_id: userId, opened_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ opened_at: now }))
    .execute();
  const data = await homeData(ctx, userId);
  await ctx.slack.views.publish({ user_id: userId, view: homeView(data) });
}

/** After a change: re-publish the Home of a user who has opened it. Best effort, never throws. */
export async function refreshHome(ctx: AppContext, userId: string): Promise<void> {
  try {
    const seen = await ctx.db.selectFrom('home_tabs').select('user_id').where('user_id', '=', userId).executeTakeFirst();
    if (!seen) return;
    const data = await homeData(ctx, userId);
    await ctx.slack.views.publish({ user_id: userId, view: homeView(data) });
  } catch (err) {
    ctx.log.warn({ err, userId }, 'could not refresh the App Home; it is rebuilt when the user opens it');
  }
}
