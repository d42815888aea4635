import type { AppContext } from '../context.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { slackDate } from '../platform/blocks.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { can, type Actor } from '../policy.ts';
import * as catalog from '../catalog/service.ts';
import { NUDGE_EVENT } from './lifecycle-ids.ts';
import { nudgeMessage } from './lifecycle-views.ts';
import { requestSave, SaveTooSoonError } from './save.ts';
import { requestPower } from './service.ts';
import { syncStatus } from './status.ts';
import { extendTarget, leaseCap } from './lease.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { markActive } from './idle-check.ts';

/**
 * The lease: wall-clock from launch, never paused by a stop. A sweep (once per minute across replicas)
 * nudges owners before expiry and acts at expiry; Extend moves expiry by a step up to a cap from creation.
 */

/** Who acts for the sweep (audited under this id). */
export const LEASE_ACTOR: Actor = { userId: 'system:lease', isAdmin: true, isApprover: false };

export async function extend(
  ctx: AppContext,
  actor: Actor,
  demoId: string,
  seenExpiry: Date | null,
  hours = ctx.config.demo.extendHours,
): Promise<{ demo: Demo; extended: boolean }> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo || demo.state === 'deleted' || demo.state === 'failed') throw new NotFoundError('That demo no longer exists.');
  const decision = can(actor, 'extend', { kind: 'demo', ownerId: demo.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const from = seenExpiry ?? demo.expiresAt;
  if (demo.expiresAt.getTime() !== from.getTime()) {
    // Already moved since the user looked: the same click twice, or Extend elsewhere. Once is enough.
    return { demo, extended: false };
  }
  const now = ctx.clock.now();
  const to = extendTarget(ctx.config, demo, now, hours);
  if (!to) {
    throw new UserError(
      `*${demo.displayName}* is already at its maximum of ${ctx.config.demo.maxTtlHours} hours from launch (until ${slackDate(leaseCap(ctx.config, demo))}). Save it to keep your work, and resume it later.`,
    );
  }
  const extended = await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('demos')
      .set({ expires_at: to, nudged_at: null, expired_at: null, updated_at: now })
      .where('id', '=', demo.id)
      .where('expires_at', '=', from)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'demo.extend',
      resourceKind: 'demo',
      resourceId: demo.id,
      before: { expiresAt: from },
      after: { expiresAt: to },
    });
    return true;
  });
  if (extended) await markActive(ctx, demo.id); // a click on the demo is activity (the idle check)
  if (extended) await syncStatus(ctx, demo.id);
  return { demo: (await store.getDemo(ctx.db, demo.id))!, extended };
}

async function audit(ctx: AppContext, demo: Demo, action: string, after: object): Promise<void> {
  await recordAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: LEASE_ACTOR.userId,
    action: action,
    resourceKind: 'demo',
    resourceId: demo.id,
    before: { state: demo.state, expiresAt: demo.expiresAt },
    after: after,
  });
}

/** Claim the nudge for this expiry (one replica, once), then DM the owner. */
async function nudge(ctx: AppContext, demo: Demo, now: Date): Promise<void> {
  const res = await ctx.db
    .updateTable('demos')
    .set({ nudged_at: now })
    .where('id', '=', demo.id)
    .where('nudged_at', 'is', null)
    .where('expires_at', '=', demo.expiresAt)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return;
  const image = await catalog.getImage(ctx.db, demo.imageId);
  const message = nudgeMessage(demo, {
    title: image?.title ?? demo.displayName,
    now,
    extendTo: extendTarget(ctx.config, demo, now),
    extendHours: ctx.config.demo.extendHours,
    policy: ctx.config.demo.expiryPolicy,
  });
  await postOnce(ctx.slack, ctx.poster, { channel: demo.ownerId, eventType: NUDGE_EVENT, key: `${demo.id}:${demo.expiresAt.getTime()}`, ...message });
  await audit(ctx, demo, 'demo.expiry_nudge', { minutesLeft: Math.round((demo.expiresAt.getTime() - now.getTime()) / 60_000) });
}

/** At expiry: stop (or save then delete). A busy demo is left for the next sweep. */
async function expire(ctx: AppContext, demo: Demo, now: Date): Promise<void> {
  const policy = ctx.config.demo.expiryPolicy;
  const idle = (demo.state === 'running' && demo.progress === 'ready') || (demo.state === 'stopped' && demo.progress === 'idle');
  if (!idle) return;
  let decision: string;
  if (policy === 'save_then_delete') {
    const image = await catalog.getImage(ctx.db, demo.imageId);
    try {
      await requestSave(ctx, LEASE_ACTOR, {
        demoId: demo.id,
        title: `${image?.title ?? demo.displayName} (expired ${now.toISOString().slice(0, 10)})`.slice(0, 150),
        description: `Saved automatically when the demo's time ran out.`,
        after: 'delete',
        submissionKey: `expire:${demo.id}:${demo.expiresAt.getTime()}`,
      });
      decision = 'save_then_delete';
    } catch (err) {
      if (!(err instanceof SaveTooSoonError) || demo.state !== 'running') throw err;
      await requestPower(ctx, LEASE_ACTOR, demo.id, 'stop');
      decision = 'stop (saved less than 10 minutes ago)';
    }
  } else if (demo.state === 'running') {
    await requestPower(ctx, LEASE_ACTOR, demo.id, 'stop');
    decision = 'stop';
  } else {
    decision = 'none (already stopped)';
  }
  const res = await ctx.db.updateTable('demos').set({ expired_at: now }).where('id', '=', demo.id).where('expired_at', 'is', null).executeTakeFirst();
  const acted = decision !== 'none (already stopped)';
  if (Number(res.numUpdatedRows) === 1 || acted) await audit(ctx, demo, 'demo.expire', { policy, decision });
  if (acted) {
    const what =
      decision === 'save_then_delete'
        ? 'so I am saving it as an image of yours and then deleting the VM. Resume it from my Home tab whenever you need it again.'
        : 'so I stopped it (its disk is kept). Extend it to start it again, or save it and resume later.';
    await ctx.poster.postMessage({ channel: demo.ownerId, text: `:alarm_clock: The time of \`${demo.displayName}\` ran out, ${what}` });
  }
}

export async function sweepLeases(ctx: AppContext, now: Date): Promise<{ nudged: number; expired: number }> {
  const nudgeStates = ctx.config.demo.expiryPolicy === 'save_then_delete' ? (['running', 'stopped'] as const) : (['running'] as const);
  const toNudge = await ctx.db
    .selectFrom('demos')
    .selectAll()
    .where('state', 'in', nudgeStates)
    .where('nudged_at', 'is', null)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', new Date(now.getTime() + ctx.config.demo.nudgeMinutes * 60_000))
    .limit(500)
    .execute();
  // Running past expiry is always acted on (even if expiry was handled before and it was started again).
  const toExpire = await ctx.db
    .selectFrom('demos')
    .selectAll()
    .where('expires_at', '<=', now)
    .where((eb) => eb.or([eb('state', '=', 'running'), eb.and([eb('state', '=', 'stopped'), eb('expired_at', 'is', null)])]))
    .limit(500)
    .execute();
  let nudged = 0;
  let expired = 0;
  for (const row of toNudge) {
    try {
      await nudge(ctx, store.toDemo(row), now);
      nudged++;
    } catch (err) {
      ctx.log.error({ err, demoId: row.id }, 'could not nudge before expiry; next sweep tries again');
      await ctx.db.updateTable('demos').set({ nudged_at: null }).where('id', '=', row.id).where('nudged_at', '=', now).execute();
    }
  }
  for (const row of toExpire) {
    try {
      await expire(ctx, store.toDemo(row), now);
      expired++;
    } catch (err) {
      if (err instanceof UserError) continue; // busy right now: the next sweep sees it again
      ctx.log.error({ err, demoId: row.id }, 'could not act on an expired demo; next sweep tries again');
    }
  }
  return { nudged, expired };
}
