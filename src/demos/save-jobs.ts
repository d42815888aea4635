import type { WorkerContext } from '../context.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';
import { GcpError } from '../platform/compute/port.ts';
import { stepRequestId } from '../platform/request-ids.ts';
import { runGceStep } from '../platform/gce-steps.ts';
import { DemoJobs } from './ids.ts';
import { demoLabels } from './service.ts';
import * as saves from './save-store.ts';
import type { Save } from './save-store.ts';
import { syncStatus } from './status.ts';
import * as store from './store.ts';
import type { Demo, Progress } from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { metrics } from '../platform/metrics.ts';

const SAVE_TIMEOUT_MS = 60 * 60_000;

/** Refusals a retry will not fix: say so and give the demo back. */
function permanent(err: unknown): string | null {
  if (!(err instanceof GcpError) || err.retryable) return null;
  switch (err.kind) {
    case 'quota':
      return `The project is out of quota for machine images: ${err.message} Delete a saved image you no longer need, or ask an admin.`;
    case 'permission':
      return `The app is not allowed to create machine images (${err.message}). An admin needs to check the service account's roles.`;
    default:
      return `GCE refused to save the VM: ${err.message}`;
  }
}

/**
 * Create the machine image `img-<save id>` from the demo's VM (requestId derived from the save id,
 * operation recorded before waiting), register it, then give the demo back to where it was, or on to
 * stop/delete through the demo's own power job. Progress is in the status DM.
 */
export async function saveJob(ctx: WorkerContext, data: { saveId: string }, attempt: { final: boolean }): Promise<void> {
  const save = await saves.getSave(ctx.db, data.saveId);
  if (!save || save.state !== 'creating') return;
  const demo = await store.getDemo(ctx.db, save.demoId);
  const image = await ctx.db.selectFrom('images').select(['gce_name', 'title', 'description']).where('id', '=', save.imageId).executeTakeFirst();
  if (!demo || !image) return failSave(ctx, save, null, 'The demo or its catalog entry disappeared during the save.');
  await syncStatus(ctx, demo.id);
  try {
    await runGceStep(
      ctx,
      { kind: 'save', id: save.id },
      'machine-image-insert',
      (requestId) =>
        ctx.compute.insertMachineImage({
          name: image.gce_name,
          sourceInstance: { zone: demo.zone, name: demo.instanceName },
          description: `${image.title}\n${image.description}`.trim().slice(0, 2048),
          labels: { ...demoLabels(demo), purpose: 'saved-demo' },
          requestId,
        }),
      // 409: a repeat of our own insert older than GCE's requestId memory; the image is there.
      { timeoutMs: SAVE_TIMEOUT_MS, okWhen: (e) => e.kind === 'conflict' },
    );
    const saved = await ctx.compute.getMachineImage(image.gce_name);
    if (!saved) throw new GcpError('not_found', `The machine image ${image.gce_name} is not there after its operation finished.`);
    await completeSave(ctx, save, demo, saved.totalStorageBytes ?? null);
  } catch (err) {
    const reason = permanent(err) ?? (attempt.final ? `GCE kept failing, so I gave up: ${(err as Error).message}` : null);
    if (!reason) throw err;
    await failSave(ctx, save, demo, reason);
  }
}

const BACK: Record<Save['priorState'], Progress> = { running: 'ready', stopped: 'idle' };

async function completeSave(ctx: WorkerContext, save: Save, demo: Demo, bytes: number | null): Promise<void> {
  const now = ctx.clock.now();
  const power = save.after === 'delete' ? 'delete' : save.after === 'stop' && save.priorState === 'running' ? 'stop' : null;
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await saves.finishSave(trx, save.id, { state: 'done' }, now))) return;
    metrics.saves.inc({ outcome: 'done', reason: '' });
    await trx
      .updateTable('images')
      .set({ status: 'ready', storage_bytes: bytes, updated_at: now })
      .where('id', '=', save.imageId)
      .where('status', '=', 'creating')
      .execute();
    const progress: Progress = power === 'delete' ? 'deleting' : power === 'stop' ? 'stopping' : BACK[save.priorState];
    const moved = await store.transition(trx, demo.id, { state: 'saving' }, { state: save.priorState, progress }, now);
    await recordAudit(trx, {
      at: now,
      actorId: save.requestedBy,
      action: 'image.saved',
      resourceKind: 'image',
      resourceId: save.imageId,
      after: { saveId: save.id, demoId: demo.id, bytes, then: power ?? 'keep' },
      requestId: save.id,
    });
    if (moved && power) await ctx.jobs.send(DemoJobs.power, { demoId: demo.id, action: power, requestId: stepRequestId('save', save.id, power) }, { trx });
  });
  await syncStatus(ctx, demo.id, { required: true });
  await ctx.events.emit('images-changed', { userId: demo.ownerId });
}

/** Nothing half-done: the catalog entry goes, a machine image made anyway is deleted, the demo is given back. */
async function failSave(ctx: WorkerContext, save: Save, demo: Demo | null, reason: string): Promise<void> {
  const now = ctx.clock.now();
  const image = await ctx.db.selectFrom('images').select(['gce_name', 'owner_id']).where('id', '=', save.imageId).executeTakeFirst();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await saves.finishSave(trx, save.id, { state: 'failed', reason }, now))) return;
    metrics.saves.inc({ outcome: 'failed', reason: 'error' });
    await trx.updateTable('images').set({ status: 'failed', deleted_at: now, updated_at: now }).where('id', '=', save.imageId).execute();
    if (demo) await store.transition(trx, demo.id, { state: 'saving' }, { state: save.priorState, progress: BACK[save.priorState] }, now);
    await recordAudit(trx, {
      at: now,
      actorId: save.requestedBy,
      action: 'image.save_failed',
      resourceKind: 'image',
      resourceId: save.imageId,
      after: { saveId: save.id, reason },
      requestId: save.id,
    });
  });
  if (image) {
    try {
      if (await ctx.compute.getMachineImage(image.gce_name)) {
        await runGceStep(ctx, { kind: 'save', id: save.id }, 'machine-image-cleanup', (rid) => ctx.compute.deleteMachineImage(image.gce_name, rid), {
          timeoutMs: SAVE_TIMEOUT_MS,
          okWhen: (e) => e.kind === 'not_found',
        });
      }
    } catch (err) {
      ctx.log.error({ err, saveId: save.id }, 'could not delete the machine image of a failed save');
    }
  }
  if (demo) {
    await syncStatus(ctx, demo.id);
    await ctx.poster.postMessage({
      channel: demo.ownerId,
      text: `:warning: Could not save \`${escapeMrkdwn(demo.displayName)}\`: ${escapeMrkdwn(reason)} The VM is as it was.`,
    });
    await ctx.events.emit('images-changed', { userId: demo.ownerId });
  }
}
