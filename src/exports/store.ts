import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database, ExportsTable } from '../platform/db-schema.ts';
import type { ExportFormat } from './formats.ts';

type DbOrTrx = Db | Transaction<Database>;
export type ExportState = ExportsTable['state'];

/**
 * queued → creating_instance → stopping_instance → creating_image → starting_build → build_queued →
 * build_working → finishing → done; cancelling (asked by the user) and cleaning (after a failure) on the way out.
 */
export type ExportProgress =
  | 'queued'
  | 'creating_instance'
  | 'stopping_instance'
  | 'creating_image'
  | 'starting_build'
  | 'build_queued'
  | 'build_working'
  | 'finishing'
  | 'cancelling'
  | 'done';

export interface Export {
  id: string;
  imageId: string;
  requesterId: string;
  format: ExportFormat;
  destinationUri: string;
  state: ExportState;
  progress: ExportProgress;
  zone: string;
  tempInstance: string;
  tempImage: string;
  buildId: string | null;
  logUrl: string | null;
  sizeBytes: number | null;
  signedUrl: string | null;
  signedUrlExpiresAt: Date | null;
  failureReason: string | null;
  dmChannel: string | null;
  dmTs: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

function toExport(r: Selectable<ExportsTable>): Export {
  return {
    id: r.id,
    imageId: r.image_id,
    requesterId: r.requester_id,
    format: r.format,
    destinationUri: r.destination_uri,
    state: r.state,
    progress: r.progress as ExportProgress,
    zone: r.zone ?? '',
    tempInstance: r.temp_instance ?? '',
    tempImage: r.temp_image ?? '',
    buildId: r.build_id,
    logUrl: r.log_url,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    signedUrl: r.signed_url,
    signedUrlExpiresAt: r.signed_url_expires_at,
    failureReason: r.failure_reason,
    dmChannel: r.dm_channel,
    dmTs: r.dm_ts,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getExport(db: DbOrTrx, id: string): Promise<Export | null> {
  if (!UUID.test(id)) return null;
  const row = await db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toExport(row) : null;
}

/** The export still writing this object, if any (one at a time per destination). */
export async function activeForDestination(db: DbOrTrx, destinationUri: string): Promise<Export | null> {
  const row = await db
    .selectFrom('exports')
    .selectAll()
    .where('destination_uri', '=', destinationUri)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return row ? toExport(row) : null;
}

export async function insertExport(
  trx: Transaction<Database>,
  e: { id: string; imageId: string; requesterId: string; format: ExportFormat; destinationUri: string; zone: string; tempInstance: string; tempImage: string },
  now: Date,
): Promise<void> {
  await trx
    .insertInto('exports')
    .values({
      id: e.id,
      image_id: e.imageId,
      requester_id: e.requesterId,
      format: e.format,
      destination_uri: e.destinationUri,
      state: 'queued',
      progress: 'queued',
      zone: e.zone,
      temp_instance: e.tempInstance,
      temp_image: e.tempImage,
      build_id: null,
      size_bytes: null,
      signed_url: null,
      failure_reason: null,
      dm_channel: null,
      dm_ts: null,
      log_url: null,
      signed_url_expires_at: null,
      finished_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

type ExportChange = Partial<{
  state: ExportState;
  progress: ExportProgress;
  build_id: string;
  log_url: string | null;
  size_bytes: number | null;
  signed_url: string;
  signed_url_expires_at: Date;
  failure_reason: string;
  finished_at: Date;
}>;

/**
 * Change an export only if it is still where the caller saw it (state, and optionally progress): the
 * loser of a race (a Cancel click against the job) changes nothing and says so.
 */
export async function transition(
  db: DbOrTrx,
  id: string,
  from: { state: ExportState | ExportState[]; progress?: ExportProgress | ExportProgress[]; notProgress?: ExportProgress },
  to: ExportChange,
  now: Date,
): Promise<boolean> {
  let q = db
    .updateTable('exports')
    .set({ ...to, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', Array.isArray(from.state) ? from.state : [from.state]);
  if (from.progress) q = q.where('progress', 'in', Array.isArray(from.progress) ? from.progress : [from.progress]);
  if (from.notProgress) q = q.where('progress', '<>', from.notProgress);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function setStatusMessage(db: DbOrTrx, id: string, channel: string, ts: string): Promise<void> {
  await db.updateTable('exports').set({ dm_channel: channel, dm_ts: ts }).where('id', '=', id).execute();
}

// ---------- steps (owner_kind 'export') ----------

export interface StepRecord {
  requestId: string;
  operationName: string | null;
  zone: string | null;
  createdAt: Date;
  done: boolean;
}

export async function getStep(db: DbOrTrx, exportId: string, step: string): Promise<StepRecord | null> {
  const row = await db
    .selectFrom('steps')
    .select(['request_id', 'operation_name', 'zone', 'created_at', 'done_at'])
    .where('owner_kind', '=', 'export')
    .where('owner_id', '=', exportId)
    .where('step', '=', step)
    .executeTakeFirst();
  return row ? { requestId: row.request_id, operationName: row.operation_name, zone: row.zone, createdAt: row.created_at, done: row.done_at !== null } : null;
}

/** Record that a step is about to call out; true when this caller is the first to claim it. */
export async function claimStep(db: DbOrTrx, exportId: string, step: string, requestId: string, now: Date): Promise<boolean> {
  const res = await db
    .insertInto('steps')
    .values({ owner_kind: 'export', owner_id: exportId, step, request_id: requestId, operation_name: null, zone: null, created_at: now, done_at: null })
    .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'step']).doNothing())
    .returning('step')
    .executeTakeFirst();
  return res !== undefined;
}

/** Undo a claim whose call certainly did nothing (the service answered with an error). */
export async function releaseClaim(db: DbOrTrx, exportId: string, step: string): Promise<void> {
  await db
    .deleteFrom('steps')
    .where('owner_kind', '=', 'export')
    .where('owner_id', '=', exportId)
    .where('step', '=', step)
    .where('operation_name', 'is', null)
    .execute();
}

export async function recordOperation(
  db: DbOrTrx,
  exportId: string,
  step: string,
  requestId: string,
  operationName: string | null,
  zone: string | null,
  now: Date,
): Promise<void> {
  const values = { operation_name: operationName, zone };
  await db
    .insertInto('steps')
    .values({ owner_kind: 'export', owner_id: exportId, step, request_id: requestId, ...values, created_at: now, done_at: null })
    .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'step']).doUpdateSet(values))
    .execute();
}
