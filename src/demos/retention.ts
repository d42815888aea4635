import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { can, type Actor } from '../policy.ts';
import { monthlyStorageUsd } from './costs.ts';
import { storageRateSql } from '../prices/store.ts';
import { regionOfZoneSql } from '../platform/compute/port.ts';
import { requestImageDelete } from './images.ts';
import { RETENTION_EVENT } from './lifecycle-ids.ts';
import { retentionWarning } from './lifecycle-views.ts';
import { requestPower } from './service.ts';
import { recordAudit } from '../audit/store.ts';

/**
 * Retention: a demo stopped for DEMO_RETENTION_DAYS, or a private saved image unused for
 * IMAGE_RETENTION_DAYS, is announced to its owner with a Keep button, then deleted
 * RETENTION_NOTICE_DAYS later unless kept (or used) meanwhile.
 */

export const RETENTION_ACTOR: Actor = { userId: 'system:retention', isAdmin: true, isApprover: false };
const DAY = 86_400_000;

type Kind = 'demo' | 'image';

async function audit(ctx: AppContext, kind: Kind, id: string, action: string, after: object, actorId = RETENTION_ACTOR.userId): Promise<void> {
  await recordAudit(ctx.db, { at: ctx.clock.now(), actorId, action, resourceKind: kind, resourceId: id, after });
}

/** Stopped demos idle since before the cutoff, not kept since; warned or not. */
function staleDemos(ctx: AppContext, cutoff: Date) {
  return (
    ctx.db
      .selectFrom('demos')
      .leftJoin('images', 'images.id', 'demos.image_id')
      .select(['demos.id', 'demos.owner_id', 'demos.display_name', 'demos.retention_warned_at', 'images.title', 'images.storage_bytes'])
      // A stopped VM keeps paying for its disks; their type is the image's, unknown here: GCE's default, balanced PD.
      .select(storageRateSql(regionOfZoneSql('demos.zone'), 'pd-balanced').as('storage_rate'))
      .select(sql<Date>`greatest(demos.updated_at, coalesce(demos.kept_at, demos.updated_at))`.as('active_at'))
      // A suspended demo keeps paying for its disks (and memory) too: retention treats it as stopped.
      .where('demos.state', 'in', ['stopped', 'suspended'])
      .where('demos.progress', '=', 'idle')
      .where(sql<boolean>`greatest(demos.updated_at, coalesce(demos.kept_at, demos.updated_at)) < ${cutoff}`)
  );
}

/** Private saved images neither created, launched nor kept since the cutoff. */
function staleImages(ctx: AppContext, cutoff: Date) {
  return ctx.db
    .selectFrom('images')
    .select(['images.id', 'images.owner_id', 'images.title', 'images.display_name', 'images.storage_bytes', 'images.retention_warned_at'])
    .select(storageRateSql(sql.ref('images.region'), 'machine-image').as('storage_rate'))
    .select(
      sql<Date>`greatest(images.created_at, coalesce(images.kept_at, images.created_at), (SELECT max(d.created_at) FROM demos d WHERE d.image_id = images.id))`.as(
        'active_at',
      ),
    )
    .where('images.origin', '=', 'saved')
    .where('images.visibility', '=', 'private')
    .where('images.status', '=', 'ready')
    .where('images.deleted_at', 'is', null)
    .where(sql<boolean>`greatest(images.created_at, coalesce(images.kept_at, images.created_at)) < ${cutoff}`)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('demos').select('demos.id').whereRef('demos.image_id', '=', 'images.id').where('demos.created_at', '>=', cutoff))),
    );
}

type StaleRow = {
  id: string;
  owner_id: string | null;
  title: string | null;
  storage_bytes: string | null;
  storage_rate: number | null;
  retention_warned_at: Date | null;
  active_at: Date;
};

/** A warning counts only for the idle stretch it announced: used (or kept) since → warn again. */
const warnedFor = (row: StaleRow) => row.retention_warned_at !== null && row.retention_warned_at >= row.active_at;

async function warn(ctx: AppContext, kind: Kind, row: StaleRow, name: string, now: Date): Promise<void> {
  const table = kind === 'demo' ? 'demos' : 'images';
  const previous = row.retention_warned_at;
  const res = await ctx.db
    .updateTable(table)
    .set({ retention_warned_at: now })
    .where('id', '=', row.id)
    .where((eb) => (previous ? eb('retention_warned_at', '=', previous) : eb('retention_warned_at', 'is', null)))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1 || !row.owner_id) return;
  const deleteAt = new Date(now.getTime() + ctx.config.demo.retentionNoticeDays * DAY);
  const monthly = monthlyStorageUsd(row.storage_bytes, row.storage_rate);
  const idleDays = kind === 'demo' ? ctx.config.demo.retentionDays : ctx.config.demo.imageRetentionDays;
  const message = retentionWarning({ kind, id: row.id, title: row.title ?? name, name, idleDays, deleteAt, monthlyUsd: monthly });
  await postOnce(ctx.slack, ctx.poster, { channel: row.owner_id, eventType: RETENTION_EVENT, key: `${kind}:${row.id}:${now.getTime()}`, ...message });
  await audit(ctx, kind, row.id, `${kind}.retention_warning`, { deleteAt, monthlyUsd: monthly });
}

export async function sweepRetention(ctx: AppContext, now: Date): Promise<{ warned: number; deleted: number }> {
  const { retentionDays, imageRetentionDays, retentionNoticeDays } = ctx.config.demo;
  const noticeCutoff = new Date(now.getTime() - retentionNoticeDays * DAY);
  let warned = 0;
  let deleted = 0;
  const demos = await staleDemos(ctx, new Date(now.getTime() - retentionDays * DAY))
    .limit(500)
    .execute();
  for (const d of demos) {
    try {
      if (!warnedFor(d)) {
        await warn(ctx, 'demo', d, d.display_name, now);
        warned++;
      } else if (d.retention_warned_at! <= noticeCutoff) {
        await requestPower(ctx, RETENTION_ACTOR, d.id, 'delete');
        await audit(ctx, 'demo', d.id, 'demo.retention_delete', { warnedAt: d.retention_warned_at });
        deleted++;
      }
    } catch (err) {
      if (!(err instanceof UserError)) ctx.log.error({ err, demoId: d.id }, 'retention sweep failed for a demo; next sweep tries again');
    }
  }
  const images = await staleImages(ctx, new Date(now.getTime() - imageRetentionDays * DAY))
    .limit(500)
    .execute();
  for (const i of images) {
    try {
      if (!warnedFor(i)) {
        await warn(ctx, 'image', i, i.display_name, now);
        warned++;
      } else if (i.retention_warned_at! <= noticeCutoff) {
        await requestImageDelete(ctx, RETENTION_ACTOR, i.id, { reason: 'retention' });
        deleted++;
      }
    } catch (err) {
      // Still needed by someone (a colleague's demo, an export): keep it and look again next time.
      if (!(err instanceof UserError)) ctx.log.error({ err, imageId: i.id }, 'retention sweep failed for an image; next sweep tries again');
    }
  }
  return { warned, deleted };
}

/** The owner's Keep: the clock starts again from now. */
export async function keep(ctx: AppContext, actor: Actor, kind: Kind, id: string): Promise<{ title: string; until: Date }> {
  const now = ctx.clock.now();
  const row =
    kind === 'demo'
      ? await ctx.db.selectFrom('demos').select(['owner_id', 'display_name as title', 'state']).where('id', '=', id).executeTakeFirst()
      : await ctx.db
          .selectFrom('images')
          .select(['owner_id', 'title', 'visibility', 'status as state'])
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
  if (!row || row.state === 'deleted' || row.state === 'deleting') throw new NotFoundError(`That ${kind} is already deleted.`);
  const decision =
    kind === 'demo'
      ? can(actor, 'keep', { kind: 'demo', ownerId: row.owner_id! })
      : can(actor, 'keep', { kind: 'image', ownerId: row.owner_id, visibility: (row as { visibility: 'private' }).visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const table = kind === 'demo' ? 'demos' : 'images';
  await ctx.db.updateTable(table).set({ kept_at: now, retention_warned_at: null }).where('id', '=', id).execute();
  await audit(ctx, kind, id, `${kind}.keep`, { keptAt: now }, actor.userId);
  if (row.owner_id) await ctx.events.emit(kind === 'demo' ? 'demos-changed' : 'images-changed', { userId: row.owner_id });
  const days = kind === 'demo' ? ctx.config.demo.retentionDays : ctx.config.demo.imageRetentionDays;
  return { title: row.title, until: new Date(now.getTime() + days * DAY) };
}
