import type { AppContext, WorkerContext } from '../context.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { GcpError } from '../platform/compute/port.ts';
import { can, type Actor } from '../policy.ts';
import { runGceStep } from '../platform/gce-steps.ts';
import { getSavedImage, toSaved, type SavedImage } from './image-store.ts';
import { LifecycleJobs } from './lifecycle-ids.ts';
import { recordAudit } from '../audit/store.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';

/** Deleting a saved image (and its machine image), refused while something depends on it. */

/** What still needs this image, in words; empty when it can go. */
export async function dependents(ctx: AppContext, imageId: string, ownerId: string | null): Promise<string[]> {
  const [demos, exports] = await Promise.all([
    ctx.db
      .selectFrom('demos')
      .select(['owner_id', 'display_name'])
      .where('image_id', '=', imageId)
      .where('state', 'in', ['provisioning', 'running', 'suspended', 'stopped', 'saving'])
      .where((eb) => (ownerId ? eb('owner_id', '<>', ownerId) : eb.lit(true)))
      .limit(5)
      .execute(),
    ctx.db
      .selectFrom('exports')
      .select(['requester_id', 'format'])
      .where('image_id', '=', imageId)
      .where('state', 'in', ['queued', 'running'])
      .limit(5)
      .execute(),
  ]);
  return [
    ...demos.map((d) => `<@${d.owner_id}>'s demo \`${d.display_name}\` was launched from it and is still there`),
    ...exports.map((e) => `an export to ${e.format} requested by <@${e.requester_id}> is in progress`),
  ];
}

/** Owner or admin; refused while someone else's demo or an export depends on it; the machine image goes by a job. */
export async function requestImageDelete(
  ctx: AppContext,
  actor: Actor,
  imageId: string,
  opts: { reason?: string } = {},
): Promise<{ image: SavedImage; started: boolean }> {
  const row = await ctx.db.selectFrom('images').selectAll().where('id', '=', imageId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw new NotFoundError('That image no longer exists.');
  const decision = can(actor, 'delete_image', { kind: 'image', ownerId: row.owner_id, visibility: row.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const title = escapeMrkdwn(row.title);
  if (row.status === 'creating') throw new UserError(`*${title}* is still being saved. Delete it once it is ready.`);
  const deps = await dependents(ctx, row.id, row.owner_id);
  if (deps.length) throw new UserError(`I can't delete *${title}* yet: ${deps.join('; ')}. Once that is gone, try again.`);
  const now = ctx.clock.now();
  const started = await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('images')
      .set({ status: 'deleting', updated_at: now })
      .where('id', '=', row.id)
      .where('status', 'in', ['ready', 'failed'])
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'image.delete',
      resourceKind: 'image',
      resourceId: row.id,
      before: { status: row.status, owner: row.owner_id },
      after: { status: 'deleting', reason: opts.reason ?? 'requested' },
    });
    await ctx.jobs.send(LifecycleJobs.deleteImage, { imageId: row.id }, { trx });
    return true;
  });
  if (row.owner_id) await ctx.events.emit('images-changed', { userId: row.owner_id });
  return { image: (await getSavedImage(ctx, row.id)) ?? toSaved({ ...row, parent_title: null, storage_rate: null }), started };
}

export async function deleteImageJob(ctx: WorkerContext, data: { imageId: string }, attempt: { final: boolean }): Promise<void> {
  const row = await ctx.db.selectFrom('images').select(['id', 'gce_name', 'title', 'owner_id', 'status']).where('id', '=', data.imageId).executeTakeFirst();
  if (!row || row.status !== 'deleting') return;
  try {
    await runGceStep(ctx, { kind: 'image', id: row.id }, 'machine-image-delete', (rid) => ctx.compute.deleteMachineImage(row.gce_name, rid), {
      timeoutMs: 30 * 60_000,
      okWhen: (e) => e.kind === 'not_found',
    });
    const now = ctx.clock.now();
    await ctx.db
      .updateTable('images')
      .set({ status: 'deleted', deleted_at: now, updated_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'deleting')
      .execute();
  } catch (err) {
    const permanent = err instanceof GcpError && !err.retryable;
    if (!permanent && !attempt.final) throw err;
    await ctx.db
      .updateTable('images')
      .set({ status: 'ready', updated_at: ctx.clock.now() })
      .where('id', '=', row.id)
      .where('status', '=', 'deleting')
      .execute();
    if (row.owner_id)
      await ctx.poster.postMessage({
        channel: row.owner_id,
        text: `:warning: Could not delete the machine image of *${escapeMrkdwn(row.title)}*: ${(err as Error).message} It is still in your saved images.`,
      });
  }
  if (row.owner_id) await ctx.events.emit('images-changed', { userId: row.owner_id });
}
