/**
 * The GCE half of an export as resumable steps (recorded in `steps`, owner_kind 'export', by the
 * shared step runner), and the clean-up of what the steps created.
 */
import type { WorkerContext } from '../context.ts';
import { retryTransient } from '../platform/compute/retry.ts';
import { GcpError, type DiskImage, type OperationRef } from '../platform/compute/port.ts';
import { isConflict, isNotFound, runGceStep as runStep, type StepOptions } from '../platform/gce-steps.ts';
import { stepRequestId } from '../platform/request-ids.ts';
import * as store from './store.ts';
import type { Export } from './store.ts';

const OPERATION_TIMEOUT_MS = 30 * 60_000;

export const notFound = isNotFound;
export const alreadyThere = isConflict;

/** The requestId the shared step runner uses for a step of this export (the build step claims with it too). */
export function exportRequestId(exportId: string, step: string): string {
  return stepRequestId('export', exportId, step);
}

/** A GCE mutation of an export as a resumable step (platform/gce-steps.ts), owner_kind 'export'. */
export function runGceStep(
  ctx: WorkerContext,
  exportId: string,
  step: string,
  call: (requestId: string) => Promise<OperationRef>,
  opts: StepOptions = {},
): Promise<void> {
  return runStep(ctx, { kind: 'export', id: exportId }, step, call, { timeoutMs: OPERATION_TIMEOUT_MS, ...opts });
}

/** The temporary image once it is no longer PENDING (GCE will not delete a pending image). */
async function settledImage(ctx: WorkerContext, exp: Export): Promise<DiskImage | null> {
  const recorded = await store.getStep(ctx.db, exp.id, 'insert-image');
  if (recorded?.operationName && !recorded.done) {
    await ctx.compute.waitOperation({ name: recorded.operationName }, { timeoutMs: OPERATION_TIMEOUT_MS });
  }
  const deadline = Date.now() + OPERATION_TIMEOUT_MS;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
    const image = await retryTransient(() => ctx.compute.getImage(exp.tempImage));
    if (!image || image.status !== 'PENDING') return image;
    if (Date.now() > deadline) throw new GcpError('unavailable', `The temporary image ${exp.tempImage} is still being created.`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Delete the temporary image and VM if they exist (their names derive from the export id, so even a
 * crash between sending an insert and recording it leaves nothing behind). The VM's disk goes with it.
 */
export async function cleanupTemporaries(ctx: WorkerContext, exp: Export): Promise<void> {
  const image = await settledImage(ctx, exp);
  if (image) await runGceStep(ctx, exp.id, 'delete-image', (rid) => ctx.compute.deleteImage(exp.tempImage, rid), { okWhen: notFound });
  const insert = await store.getStep(ctx.db, exp.id, 'insert-instance');
  if (insert?.operationName && !insert.done) {
    await ctx.compute.waitOperation({ name: insert.operationName, zone: insert.zone ?? exp.zone }, { timeoutMs: OPERATION_TIMEOUT_MS });
  }
  const instance = await retryTransient(() => ctx.compute.getInstance(exp.zone, exp.tempInstance));
  if (instance) await runGceStep(ctx, exp.id, 'delete-instance', (rid) => ctx.compute.deleteInstance(exp.zone, exp.tempInstance, rid), { okWhen: notFound });
}
