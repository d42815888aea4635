import { DISCOUNT_SQL, unpricedMachineTypes } from '../prices/store.ts';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { ForbiddenError } from '../errors.ts';
import { regionOfZoneSql } from '../platform/compute/port.ts';
import { can, type Actor } from '../policy.ts';
import { pauseState, setPaused, type PauseState } from './pause.ts';
import { requestPower } from './service.ts';
import type { Demo } from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { lastPoolBudget, poolLines, type PoolBudget, type PoolLine } from './pool.ts';
import { lastOrphans, type Orphans } from './unknown-vms.ts';
import { lastSyncSkips } from '../catalog/service.ts';
import type { SyncSkip } from '../catalog/store.ts';
import { upcomingBookings } from './booking.ts';
import type { Booking } from './booking-views.ts';

/** The admin's view of every live VM: who, how old, until when, and what it cost so far. */

export interface FleetRow {
  demoId: string;
  ownerId: string;
  title: string;
  displayName: string;
  zone: string;
  machineType: string;
  state: Demo['state'];
  progress: string;
  createdAt: Date;
  expiresAt: Date;
  hours: number;
  /** null when no price is known for the machine type in that region. */
  cost: number | null;
  currency: string;
}

export interface Fleet {
  rows: FleetRow[];
  total: number;
  pause: PauseState;
  /**
   * Labelled managed-by=demo-vm but unknown to the app (or of a deleted/failed demo), as the last
   * reconcile found them; null when not looked up or before the first reconcile.
   */
  orphans: Orphans | null;
  /** Allowed machine types with no price in an allowed zone's region: shown as "price unknown". */
  unpriced: Array<{ machineType: string; region: string }>;
  /** Labelled machine images the last catalog sync could not store. */
  catalogSkips: SyncSkip[];
  /** The warm pools and the month's pool budget as the last refill found it. */
  pools: { lines: PoolLine[]; budget: PoolBudget | null };
  /** Bookings still to start, soonest first. */
  bookings: Booking[];
  now: Date;
}

function assertAdmin(actor: Actor): void {
  const decision = can(actor, 'fleet_admin', { kind: 'org' });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
}

export async function fleetRows(ctx: AppContext, limit: number): Promise<{ rows: FleetRow[]; total: number }> {
  const now = ctx.clock.now();
  const live = ['provisioning', 'running', 'saving'] as const;
  const [rows, count] = await Promise.all([
    ctx.db
      .selectFrom('demos')
      .leftJoin('images', 'images.id', 'demos.image_id')
      .leftJoin('machine_prices', (j) =>
        j.onRef('machine_prices.machine_type', '=', 'demos.machine_type').on('machine_prices.region', '=', regionOfZoneSql('demos.zone')),
      )
      .select((eb) => [
        'demos.id',
        'demos.owner_id',
        'demos.display_name',
        'demos.zone',
        'demos.machine_type',
        'demos.state',
        'demos.progress',
        'demos.created_at',
        'demos.expires_at',
        'images.title',
        sql<number | null>`machine_prices.hourly_price * ${DISCOUNT_SQL}`.as('hourly_price'),
        'machine_prices.currency',
        eb
          .selectFrom('usage_intervals')
          .select(sql<string>`coalesce(sum(extract(epoch from (least(coalesce(ended_at, ${now}), ${now}) - started_at))), 0)`.as('s'))
          .whereRef('usage_intervals.demo_id', '=', 'demos.id')
          .where('started_at', '<', now)
          .as('seconds'),
      ])
      .where('demos.state', 'in', live)
      .orderBy('demos.created_at')
      .limit(limit)
      .execute(),
    ctx.db
      .selectFrom('demos')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', 'in', live)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => {
      const hours = Number(r.seconds ?? 0) / 3600;
      return {
        demoId: r.id,
        ownerId: r.owner_id,
        title: r.title ?? r.display_name,
        displayName: r.display_name,
        zone: r.zone,
        machineType: r.machine_type,
        state: r.state,
        progress: r.progress,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        hours,
        cost: r.hourly_price === null ? null : hours * Number(r.hourly_price),
        currency: r.currency ?? 'USD',
      };
    }),
  };
}

export async function fleet(ctx: AppContext, actor: Actor, opts: { limit?: number; orphans?: boolean } = {}): Promise<Fleet> {
  assertAdmin(actor);
  const [{ rows, total }, pause, orphans, unpriced, syncSkips, poolList, poolBudget, bookings] = await Promise.all([
    fleetRows(ctx, opts.limit ?? 40),
    pauseState(ctx.db),
    opts.orphans === false ? Promise.resolve(null) : lastOrphans(ctx.db),
    unpricedMachineTypes(ctx.db, ctx.config.gce.project, ctx.config.gce.zones),
    lastSyncSkips(ctx.db),
    poolLines(ctx),
    lastPoolBudget(ctx),
    upcomingBookings(ctx, { limit: 10 }),
  ]);
  const pools = { lines: poolList, budget: poolBudget };
  return { rows, total, pause, orphans, unpriced, catalogSkips: syncSkips?.skipped ?? [], pools, bookings, now: ctx.clock.now() };
}

/** An admin stops anyone's demo; the owner's DM says so through the usual status message. */
export async function forceStop(ctx: AppContext, actor: Actor, demoId: string): Promise<Demo> {
  assertAdmin(actor);
  const demo = await requestPower(ctx, actor, demoId, 'stop');
  await recordAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: actor.userId,
    action: 'demo.force_stop',
    resourceKind: 'demo',
    resourceId: demoId,
    after: { owner: demo.ownerId },
  });
  if (demo.ownerId !== actor.userId) {
    await ctx.poster.postMessage({
      channel: demo.ownerId,
      text: `:double_vertical_bar: <@${actor.userId}> (an admin) stopped your demo \`${demo.displayName}\`. Its disk is kept; start it again from its message or my Home tab.`,
    });
  }
  return demo;
}

export async function switchPause(ctx: AppContext, actor: Actor, paused: boolean, reason: string): Promise<PauseState> {
  assertAdmin(actor);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await pauseState(trx);
    await setPaused(trx, paused, actor.userId, reason, now);
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: paused ? 'fleet.pause' : 'fleet.resume',
      resourceKind: 'org',
      resourceId: 'launches',
      before: { paused: before.paused },
      after: { paused, reason },
    });
  });
  return pauseState(ctx.db);
}
