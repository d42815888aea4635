import type { Transaction } from 'kysely';
import type { AppContext } from '../context.ts';
import { retryTransient } from '../platform/compute/gce.ts';
import { ComputeError, operationFailure, type OperationRef } from '../platform/compute/port.ts';
import { crashPoint } from '../platform/crash.ts';
import type { Database } from '../platform/db-schema.ts';
import type { Db } from '../platform/db.ts';
import { stepRequestId } from '../platform/request-ids.ts';

type DbOrTrx = Db | Transaction<Database>;
export type StepOwner = { kind: 'save' | 'image'; id: string };

/**
 * A GCE mutation as a resumable step of a save or an image deletion (the demo slice has its own for
 * demos): requestId derived from (owner, step), operation recorded before waiting, a resumed step
 * waits on the recorded operation instead of sending again.
 */
export async function runRecordedStep(
  ctx: AppContext,
  owner: StepOwner,
  step: string,
  call: (requestId: string) => Promise<OperationRef>,
  opts: { timeoutMs: number; okWhen?: (err: ComputeError) => boolean },
): Promise<void> {
  const recorded = await getStep(ctx.db, owner, step);
  if (recorded?.done) return;
  let op: OperationRef | null = recorded?.operationName ? { name: recorded.operationName, ...(recorded.zone ? { zone: recorded.zone } : {}) } : null;
  const requestId = stepRequestId(owner.kind, owner.id, step);
  if (!op) {
    try {
      op = await retryTransient(() => call(requestId));
    } catch (err) {
      if (err instanceof ComputeError && opts.okWhen?.(err)) return markDone(ctx, owner, step, requestId);
      throw err;
    }
    crashPoint(`${owner.kind}.${step}.sent`);
    await recordStep(ctx.db, owner, step, requestId, op, ctx.clock.now());
  }
  const failure = operationFailure(await ctx.compute.waitOperation(op, { timeoutMs: opts.timeoutMs }));
  if (failure && !opts.okWhen?.(failure)) throw failure;
  await markDone(ctx, owner, step, requestId);
}

async function getStep(db: DbOrTrx, owner: StepOwner, step: string) {
  const row = await db
    .selectFrom('steps')
    .select(['operation_name', 'zone', 'done_at'])
    .where('owner_kind', '=', owner.kind)
    .where('owner_id', '=', owner.id)
    .where('step', '=', step)
    .executeTakeFirst();
  return row ? { operationName: row.operation_name, zone: row.zone, done: row.done_at !== null } : null;
}

async function recordStep(db: DbOrTrx, owner: StepOwner, step: string, requestId: string, op: OperationRef | null, now: Date): Promise<void> {
  const values = { operation_name: op?.name ?? null, zone: op?.zone ?? null };
  await db
    .insertInto('steps')
    .values({ owner_kind: owner.kind, owner_id: owner.id, step, request_id: requestId, ...values, created_at: now, done_at: null })
    .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'step']).doUpdateSet(values))
    .execute();
}

async function markDone(ctx: AppContext, owner: StepOwner, step: string, requestId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('steps')
    .values({ owner_kind: owner.kind, owner_id: owner.id, step, request_id: requestId, operation_name: null, zone: null, created_at: now, done_at: now })
    .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'step']).doUpdateSet({ done_at: now }))
    .execute();
}
