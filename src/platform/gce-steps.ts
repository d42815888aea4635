import type { Transaction } from 'kysely';
import type { Clock } from './clock.ts';
import { retryTransient } from './compute/retry.ts';
import { GcpError, operationFailure, type Compute, type OperationRef } from './compute/port.ts';
import { crashPoint } from './crash.ts';
import type { Database } from './db-schema.ts';
import type { Db } from './db.ts';
import { stepRequestId } from './request-ids.ts';

/** What a step belongs to: a demo's launch or power change, a save, an image deletion, an export. */
export interface StepOwner {
  kind: 'demo' | 'save' | 'image' | 'export' | 'pool';
  id: string;
}

export interface StepDeps {
  db: Db;
  compute: Compute;
  clock: Clock;
}

export interface StepOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Refusals that mean "already done" for this step (a 409 on a re-sent insert, a 404 on a delete). */
  okWhen?: (err: GcpError) => boolean;
}

type DbOrTrx = Db | Transaction<Database>;

export const isNotFound = (e: GcpError) => e.kind === 'not_found';
export const isConflict = (e: GcpError) => e.kind === 'conflict';

/**
 * One GCE mutation as a resumable step — the way every job in this app talks to GCE:
 * - its requestId derives from (owner, step), so a retried or resumed step sends the same one and GCE
 *   ignores the repeat (within an hour; after that a 409/404 says it happened: `okWhen`);
 * - the operation's name is recorded before waiting, so a resumed step waits on it instead of sending
 *   again; a step marked done is skipped.
 * Crash points `<kind>.<step>.before|sent|recorded` let tests cut the power at each boundary.
 */
export async function runGceStep(
  deps: StepDeps,
  owner: StepOwner,
  step: string,
  call: (requestId: string) => Promise<OperationRef>,
  opts: StepOptions = {},
): Promise<void> {
  const recorded = await getStep(deps.db, owner, step);
  if (recorded?.done) return;
  const requestId = stepRequestId(owner.kind, owner.id, step);
  let op: OperationRef | null = recorded?.operationName ? { name: recorded.operationName, ...(recorded.zone ? { zone: recorded.zone } : {}) } : null;
  if (!op) {
    crashPoint(`${owner.kind}.${step}.before`);
    try {
      op = await retryTransient(() => call(requestId), { signal: opts.signal });
    } catch (err) {
      if (err instanceof GcpError && opts.okWhen?.(err)) return markStepDone(deps, owner, step, requestId);
      throw err;
    }
    crashPoint(`${owner.kind}.${step}.sent`);
    await recordOperation(deps, owner, step, requestId, op);
    crashPoint(`${owner.kind}.${step}.recorded`);
  }
  const failure = operationFailure(await deps.compute.waitOperation(op, { timeoutMs: opts.timeoutMs ?? 30 * 60_000, signal: opts.signal }));
  if (failure && !opts.okWhen?.(failure)) throw failure;
  await markStepDone(deps, owner, step, requestId);
}

export async function getStep(
  db: DbOrTrx,
  owner: StepOwner,
  step: string,
): Promise<{ operationName: string | null; zone: string | null; done: boolean } | null> {
  const row = await db
    .selectFrom('steps')
    .select(['operation_name', 'zone', 'done_at'])
    .where('owner_kind', '=', owner.kind)
    .where('owner_id', '=', owner.id)
    .where('step', '=', step)
    .executeTakeFirst();
  return row ? { operationName: row.operation_name, zone: row.zone, done: row.done_at !== null } : null;
}

async function recordOperation(deps: StepDeps, owner: StepOwner, step: string, requestId: string, op: OperationRef): Promise<void> {
  const values = { operation_name: op.name, zone: op.zone ?? null };
  await deps.db
    .insertInto('steps')
    .values({ owner_kind: owner.kind, owner_id: owner.id, step, request_id: requestId, ...values, created_at: deps.clock.now(), done_at: null })
    .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'step']).doUpdateSet(values))
    .execute();
}

async function markStepDone(deps: StepDeps, owner: StepOwner, step: string, requestId: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .insertInto('steps')
    .values({ owner_kind: owner.kind, owner_id: owner.id, step, request_id: requestId, operation_name: null, zone: null, created_at: now, done_at: now })
    .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'step']).doUpdateSet({ done_at: now }))
    .execute();
}
