import type { AppContext, WorkerContext } from '../context.ts';
import { recordAudit } from '../audit/store.ts';
import * as catalog from '../catalog/service.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { can, type Actor } from '../policy.ts';
import { idleAction, judgeIdle, lastActiveSample, WARNING_MINUTES } from './idle.ts';
import { IDLE_EVENT } from './idle-ids.ts';
import { idleCancelled, idleKept, idleWarning } from './idle-views.ts';
import { IDLE_ACTOR, requestSuspend } from './suspend.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';

/**
 * The idle check, once a minute on the app's clock (a driven clock drives it in tests and in the
 * simulated week): reads every running demo's CPU and network from Cloud Monitoring in one query per
 * metric, judges each (idle.ts), warns, calls a warning off, or suspends 10 min after a warning.
 */

export const IDLE_TASK = 'demo-idle';

/**
 * How far back each check reads. Busy minutes are kept (active_at), so a check only needs what became
 * visible since the last one: samples show up at most 240 s late; 10 min leaves room for skipped checks.
 */
const WINDOW_MINUTES = 10;

export interface IdleReport {
  checked: number;
  warned: number;
  cancelled: number;
  suspended: number;
  waiting: number;
}

/** The VM ids Cloud Monitoring keys series by, read from GCE once per demo. */
async function instanceIds(ctx: WorkerContext, demos: Demo[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const d of demos) {
    let id = d.instanceId;
    if (!id) {
      id = (await ctx.compute.getInstance(d.zone, d.instanceName))?.id ?? null;
      if (id) await ctx.db.updateTable('demos').set({ instance_id: id }).where('id', '=', d.id).execute();
    }
    if (id) ids.set(d.id, id);
  }
  return ids;
}

export async function idleCheck(ctx: WorkerContext, now: Date): Promise<IdleReport> {
  const report: IdleReport = { checked: 0, warned: 0, cancelled: 0, suspended: 0, waiting: 0 };
  const rows = await ctx.db.selectFrom('demos').selectAll().where('state', '=', 'running').where('progress', '=', 'ready').execute();
  const demos = rows.map(store.toDemo);
  if (!demos.length) return report;
  const ids = await instanceIds(ctx, demos);
  const series = await ctx.monitoring.vmActivity(ctx.config.gce.project, [...new Set(ids.values())], {
    start: new Date(now.getTime() - WINDOW_MINUTES * 60_000),
    end: now,
  });
  // When each demo's current run began (launch ready, start, resume): activity by definition.
  const runs = await ctx.db
    .selectFrom('usage_intervals')
    .select(['demo_id', 'started_at'])
    .where('ended_at', 'is', null)
    .where(
      'demo_id',
      'in',
      demos.map((d) => d.id),
    )
    .execute();
  const runStart = new Map(runs.map((r) => [r.demo_id, r.started_at]));
  for (const demo of demos) {
    const id = ids.get(demo.id);
    if (!id) continue;
    report.checked++;
    const points = series.get(id) ?? [];
    const seen = lastActiveSample(points);
    if (seen && (!demo.activeAt || seen > demo.activeAt)) await activitySeen(ctx, demo.id, seen);
    const verdict = judgeIdle({
      now,
      points,
      // A booked demo is ready a little before its time: its idle period starts at the meeting, not before.
      signals: [demo.activeAt, demo.openedAt, runStart.get(demo.id) ?? null, demo.readyBy],
      idleMinutes: ctx.config.demo.idleMinutes,
    });
    if (verdict.kind === 'wait') report.waiting++;
    const started = runStart.get(demo.id);
    // A warning from an earlier run (the demo was stopped and started since) is simply over.
    if (demo.idleWarnedAt && started && demo.idleWarnedAt < started) await clearWarning(ctx, demo);
    const warning =
      demo.idleWarnedAt && demo.idleSince && !(started && demo.idleWarnedAt < started) ? { idleSince: demo.idleSince, warnedAt: demo.idleWarnedAt } : null;
    try {
      switch (idleAction(verdict, warning, now)) {
        case 'warn':
          if (await warn(ctx, demo, verdict.lastActivity, verdict.kind === 'idle' ? verdict.idleMinutes : 0, now)) report.warned++;
          break;
        case 'cancel':
          if (await cancelWarning(ctx, demo)) report.cancelled++;
          break;
        case 'suspend':
          if (await requestSuspend(ctx, demo, now, { idleSince: demo.idleSince, warnedAt: demo.idleWarnedAt })) report.suspended++;
          break;
      }
    } catch (err) {
      ctx.log.error({ err, demoId: demo.id }, 'idle check could not act on a demo; the next check tries again');
    }
  }
  return report;
}

/** A busy minute: the demo's activity moves on, and a Keep running it had is over (activity returned). */
async function activitySeen(ctx: AppContext, demoId: string, at: Date): Promise<void> {
  await ctx.db.updateTable('demos').set({ active_at: at }).where('id', '=', demoId).execute();
  await ctx.db
    .updateTable('idle_keeps')
    .set({ ended_at: at })
    .where('demo_id', '=', demoId)
    .where('ended_at', 'is', null)
    .where('pressed_at', '<=', at)
    .execute();
}

/** Claim the warning for this idle period (once, across replicas), then DM the owner. */
async function warn(ctx: AppContext, demo: Demo, idleSince: Date, idleMinutes: number, now: Date): Promise<boolean> {
  const claimed = await ctx.db
    .updateTable('demos')
    .set({ idle_since: idleSince, idle_warned_at: now })
    .where('id', '=', demo.id)
    .where('idle_warned_at', 'is', null)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return false;
  const title = (await catalog.getImage(ctx.db, demo.imageId))?.title ?? demo.displayName;
  const message = idleWarning(demo, { title, idleMinutes, suspendAt: new Date(now.getTime() + WARNING_MINUTES * 60_000) });
  const posted = await postOnce(ctx.slack, ctx.poster, { channel: demo.ownerId, eventType: IDLE_EVENT, key: `${demo.id}:${idleSince.getTime()}`, ...message });
  await ctx.db.updateTable('demos').set({ idle_dm_channel: posted.channel, idle_dm_ts: posted.ts }).where('id', '=', demo.id).execute();
  await recordAudit(ctx.db, {
    at: now,
    actorId: IDLE_ACTOR,
    action: 'demo.idle_warning',
    resourceKind: 'demo',
    resourceId: demo.id,
    after: { idleSince, idleMinutes },
  });
  return true;
}

async function clearWarning(ctx: AppContext, demo: Demo): Promise<boolean> {
  const res = await ctx.db
    .updateTable('demos')
    .set({ idle_since: null, idle_warned_at: null })
    .where('id', '=', demo.id)
    .where('idle_warned_at', '=', demo.idleWarnedAt)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Activity came back before the suspend: the warning is off, and its DM says so. */
async function cancelWarning(ctx: AppContext, demo: Demo): Promise<boolean> {
  if (!(await clearWarning(ctx, demo))) return false;
  const title = (await catalog.getImage(ctx.db, demo.imageId))?.title ?? demo.displayName;
  if (demo.idleDmChannel && demo.idleDmTs) await ctx.slack.chat.update({ channel: demo.idleDmChannel, ts: demo.idleDmTs, ...idleCancelled(demo, title) });
  return true;
}

/**
 * Keep running (the owner, or an admin): the suspend is off and the demo counts as active now, so the
 * next warning comes after one more idle period. Each press is an idle_keeps row (digests name them),
 * open until activity returns or the demo goes down; audited.
 */
export async function keepRunning(ctx: AppContext, actor: Actor, demoId: string): Promise<{ demo: Demo; kept: boolean; title: string }> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo || demo.state === 'deleted') throw new NotFoundError('That demo no longer exists.');
  const decision = can(actor, 'keep', { kind: 'demo', ownerId: demo.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const title = (await catalog.getImage(ctx.db, demo.imageId))?.title ?? demo.displayName;
  if (demo.state !== 'running' || demo.progress !== 'ready') {
    throw new UserError(`Too late to keep \`${demo.displayName}\` running: it is ${demo.progress === 'suspending' ? 'being suspended' : demo.state}.`);
  }
  if (!demo.idleWarnedAt || !demo.idleSince) return { demo, kept: false, title }; // already answered (a double click, or activity came back)
  const now = ctx.clock.now();
  const kept = await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('demos')
      .set({ idle_since: null, idle_warned_at: null, active_at: now })
      .where('id', '=', demo.id)
      .where('idle_warned_at', '=', demo.idleWarnedAt)
      .where('progress', '=', 'ready')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('idle_keeps')
      .values({
        demo_id: demo.id,
        user_id: actor.userId,
        owner_id: demo.ownerId,
        machine_type: demo.machineType,
        zone: demo.zone,
        idle_since: demo.idleSince!,
        pressed_at: now,
        ended_at: null,
      })
      .execute();
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'demo.keep_running',
      resourceKind: 'demo',
      resourceId: demo.id,
      before: { idleSince: demo.idleSince },
      after: { nextCheckAfterMinutes: ctx.config.demo.idleMinutes },
    });
    return true;
  });
  if (kept && demo.idleDmChannel && demo.idleDmTs) {
    await ctx.slack.chat.update({
      channel: demo.idleDmChannel,
      ts: demo.idleDmTs,
      ...idleKept(demo, { title, by: actor.userId, idleMinutes: ctx.config.demo.idleMinutes }),
    });
  }
  return { demo, kept, title };
}

/** A Slack action on the demo (Extend…) is activity too. */
export async function markActive(ctx: AppContext, demoId: string): Promise<void> {
  await ctx.db.updateTable('demos').set({ active_at: ctx.clock.now() }).where('id', '=', demoId).execute();
}
