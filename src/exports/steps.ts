/**
 * The GCE half of an export as resumable steps (recorded in `steps`, owner_kind 'export'): a requestId
 * fixed per step, the operation recorded before waiting, and a resumed step waiting on the recorded
 * operation instead of sending again. Plus the clean-up of what the steps created.
 */
import type { AppContext } from '../context.ts';
import { retryTransient } from '../platform/compute/gce.ts';
import { ComputeError, type DiskImage, operationFailure, type OperationRef } from '../platform/compute/port.ts';
import { crashPoint } from '../platform/crash.ts';
import { stepRequestId } from '../platform/request-ids.ts';
import * as store from './store.ts';
import type { Export } from './store.ts';

const OPERATION_TIMEOUT_MS = 30 * 60_000;

export const notFound = (e: ComputeError) => e.kind === 'not_found';
export const alreadyThere = (e: ComputeError) => e.kind === 'conflict';

export function exportRequestId(exportId: string, step: string): string {
  return stepRequestId('export', exportId, step);
}

export async function runGceStep(
  ctx: AppContext,
  exportId: string,
  step: string,
  call: (requestId: string) => Promise<OperationRef>,
  opts: { okWhen?: (err: ComputeError) => boolean } = {},
): Promise<void> {
  const recorded = await store.getStep(ctx.db, exportId, step);
  if (recorded?.done) return;
  const requestId = exportRequestId(exportId, step);
  let op: OperationRef | null = recorded?.operationName ? { name: recorded.operationName, ...(recorded.zone ? { zone: recorded.zone } : {}) } : null;
  if (!op) {
    try {
      op = await retryTransient(() => call(requestId));
    } catch (err) {
      // A 409 on a repeated insert (requestId forgotten after an hour) means it was done before.
      if (err instanceof ComputeError && opts.okWhen?.(err)) return store.markStepDone(ctx.db, exportId, step, requestId, ctx.clock.now());
      throw err;
    }
    crashPoint(`export.${step}.sent`);
    await store.recordOperation(ctx.db, exportId, step, requestId, op.name, op.zone ?? null, ctx.clock.now());
  }
  const failure = operationFailure(await ctx.compute.waitOperation(op, { timeoutMs: OPERATION_TIMEOUT_MS }));
  if (failure && !opts.okWhen?.(failure)) throw failure;
  await store.markStepDone(ctx.db, exportId, step, requestId, ctx.clock.now());
}

/** The temporary image once it is no longer PENDING (GCE will not delete a pending image). */
async function settledImage(ctx: AppContext, exp: Export): Promise<DiskImage | null> {
  const recorded = await store.getStep(ctx.db, exp.id, 'insert-image');
  if (recorded?.operationName && !recorded.done) {
    await ctx.compute.waitOperation({ name: recorded.operationName }, { timeoutMs: OPERATION_TIMEOUT_MS });
  }
  const deadline = Date.now() + OPERATION_TIMEOUT_MS;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
    const image = await retryTransient(() => ctx.compute.getImage(exp.tempImage));
    if (!image || image.status !== 'PENDING') return image;
    if (Date.now() > deadline) throw new ComputeError('unavailable', `The temporary image ${exp.tempImage} is still being created.`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Delete the temporary image and VM if they exist (their names derive from the export id, so even a
 * crash between sending an insert and recording it leaves nothing behind). The VM's disk goes with it.
 */
export async function cleanupTemporaries(ctx: AppContext, exp: Export): Promise<void> {
  const image = await settledImage(ctx, exp);
  if (image) await runGceStep(ctx, exp.id, 'delete-image', (rid) => ctx.compute.deleteImage(exp.tempImage, rid), { okWhen: notFound });
  const insert = await store.getStep(ctx.db, exp.id, 'insert-instance');
  if (insert?.operationName && !insert.done) {
    await ctx.compute.waitOperation({ name: insert.operationName, zone: insert.zone ?? exp.zone }, { timeoutMs: OPERATION_TIMEOUT_MS });
  }
  const instance = await retryTransient(() => ctx.compute.getInstance(exp.zone, exp.tempInstance));
  if (instance) await runGceStep(ctx, exp.id, 'delete-instance', (rid) => ctx.compute.deleteInstance(exp.zone, exp.tempInstance, rid), { okWhen: notFound });
}
