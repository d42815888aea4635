import { randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/store.ts';
import type { AppContext } from '../context.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { can, type Actor } from '../policy.ts';
import { stepRequestId } from '../platform/request-ids.ts';
import * as catalog from '../catalog/service.ts';
import type { CatalogImageRef } from '../catalog/service.ts';
import { type Destination, destinationUri, type ExportFormat, formatList, normalizePrefix, parseDestination, parseFormat } from './formats.ts';
import { ExportJobs } from './ids.ts';
import * as store from './store.ts';
import type { Export } from './store.ts';
import { claimSubmission } from '../platform/submissions.ts';

export interface ExportOptions {
  buckets: string[];
  defaultBucket?: string;
}

export function exportOptions(ctx: AppContext): ExportOptions {
  return { buckets: ctx.config.exports.buckets, defaultBucket: ctx.config.exports.defaultBucket };
}

/** Names of what an export creates derive from its id (GCE names: lowercase, ≤ 63 characters). */
export function tempNames(exportId: string): { instance: string; image: string } {
  const short = exportId.replaceAll('-', '');
  return { instance: `export-${short}`, image: `export-${short}` };
}

export function tempLabels(exportId: string): Record<string, string> {
  return { 'managed-by': 'demo-vm', purpose: 'export', 'export-id': exportId };
}

function requireConfigured(ctx: AppContext): void {
  if (ctx.config.exports.buckets.length === 0) {
    throw new UserError('Exports are not set up here yet: an admin needs to set `EXPORT_BUCKET` (and optionally `EXPORT_BUCKETS`).');
  }
}

/** The image, if this actor may export it. */
export async function exportableImage(ctx: AppContext, actor: Actor, imageId: string): Promise<CatalogImageRef> {
  requireConfigured(ctx);
  const image = await catalog.getImage(ctx.db, imageId);
  if (!image) throw new NotFoundError('That image is no longer in the catalog. Try `/demo browse`.');
  const decision = can(actor, 'export', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (image.status !== 'ready') throw new UserError(`*${image.title}* is not ready yet (${image.status}); try again once it is.`);
  return image;
}

export interface ParsedExportCommand {
  image: string;
  format?: ExportFormat;
  destination?: Destination;
}

/**
 * `/demo export <image words> [format] [gs://bucket/folder]`: the format and the destination are taken
 * from the end (a format only when it is one), so a title of several words needs no quotes.
 */
export function parseExportCommand(args: string[]): ParsedExportCommand {
  const usage = 'Usage: `/demo export <image> [format] [gs://bucket/folder]`';
  const words = [...args];
  const out: ParsedExportCommand = { image: '' };
  for (let last = words.at(-1); last !== undefined; last = words.at(-1)) {
    if (last.toLowerCase().startsWith('gs://') && !out.destination) {
      const d = parseDestination(last);
      if ('error' in d) throw new UserError(d.error);
      out.destination = d;
    } else if (parseFormat(last) && !out.format) out.format = parseFormat(last)!;
    else break;
    words.pop();
  }
  if (words.length === 0) throw new UserError(`Say which image to export. ${usage}`);
  out.image = words.join(' ');
  return out;
}

export interface ExportRequest {
  imageId: string;
  format: string;
  /** Default bucket when absent. */
  bucket?: string;
  prefix?: string;
  /** Idempotency key from Slack (view id, trigger id): one export per key. */
  submissionKey: string;
}

function checkDestination(ctx: AppContext, bucket: string | undefined, prefix: string | undefined): Destination {
  const chosen = bucket ?? ctx.config.exports.defaultBucket;
  const allowed = ctx.config.exports.buckets;
  if (!chosen) throw new UserError('Say which bucket to export to.');
  if (!allowed.includes(chosen)) {
    throw new UserError(
      `Exports may only go to ${allowed.map((b) => `\`gs://${b}\``).join(', ')}; \`gs://${chosen.slice(0, 70)}\` is not on the list. Ask an admin to add it to \`EXPORT_BUCKETS\`.`,
    );
  }
  const normalized = normalizePrefix(prefix ?? '');
  if (typeof normalized !== 'string') throw new UserError(normalized.error);
  return { bucket: chosen, prefix: normalized };
}

/**
 * Check, then create the export row, its audit entry and its job in one transaction. A repeated
 * submission key (double click, Slack retry) returns the export the first one created.
 */
export async function startExport(ctx: AppContext, actor: Actor, req: ExportRequest): Promise<{ export: Export; created: boolean }> {
  requireConfigured(ctx);
  const format = parseFormat(req.format);
  if (!format) throw new UserError(`\`${req.format.slice(0, 60)}\` is not a format I can export to. Pick one of: ${formatList()}.`);
  const destination = checkDestination(ctx, req.bucket, req.prefix);
  const image = await exportableImage(ctx, actor, req.imageId);
  const uri = destinationUri(destination, image.gceName, format);
  const now = ctx.clock.now();
  const id = randomUUID();
  const names = tempNames(id);
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await claimSubmission(trx, req.submissionKey, 'export', id, now);
    if (existing) return { export: (await store.getExport(trx, existing))!, created: false };
    const busy = await store.activeForDestination(trx, uri);
    if (busy)
      throw new UserError(
        `\`${uri}\` is being written by another export right now (started by <@${busy.requesterId}>). Pick another folder, or wait for it to finish.`,
      );
    await store.insertExport(
      trx,
      {
        id,
        imageId: image.id,
        requesterId: actor.userId,
        format,
        destinationUri: uri,
        zone: ctx.config.gce.defaultZone,
        tempInstance: names.instance,
        tempImage: names.image,
      },
      now,
    );
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'image.export',
      resourceKind: 'image',
      resourceId: image.id,
      after: { exportId: id, format, destination: uri },
      requestId: req.submissionKey,
    });
    await ctx.jobs.send(ExportJobs.run, { exportId: id }, { trx });
    return { export: (await store.getExport(trx, id))!, created: true };
  });
}

/** Cancel: marked at once (the job stops at its next step, cancels the build and cleans up). */
export async function requestCancel(ctx: AppContext, actor: Actor, exportId: string): Promise<Export> {
  const exp = await store.getExport(ctx.db, exportId);
  if (!exp) throw new NotFoundError('That export no longer exists.');
  const image = await catalog.getImage(ctx.db, exp.imageId);
  const own = exp.requesterId === actor.userId;
  const mayExport = image ? can(actor, 'export', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility }).allowed : actor.isAdmin;
  if (!own && !mayExport) throw new ForbiddenError("Only the person who started an export, the image's owner or an admin can cancel it.");
  const now = ctx.clock.now();
  const claimed = await ctx.db.transaction().execute(async (trx) => {
    const ok = await store.transition(trx, exportId, { state: ['queued', 'running'], notProgress: 'cancelling' }, { progress: 'cancelling' }, now);
    if (!ok) return false;
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'export.cancel',
      resourceKind: 'export',
      resourceId: exportId,
      before: { state: exp.state, progress: exp.progress },
    });
    // Its own job id: a double click queues one cancellation.
    await ctx.jobs.send(ExportJobs.run, { exportId }, { trx, id: cancelJobId(exportId) });
    return true;
  });
  const current = (await store.getExport(ctx.db, exportId))!;
  if (!claimed && current.progress !== 'cancelling') throw new UserError(`That export has already ${current.state === 'done' ? 'finished' : current.state}.`);
  return current;
}

export function cancelJobId(exportId: string): string {
  return stepJobId(exportId, 'cancel');
}

/** A deterministic job id (pg-boss skips a second job with the same id). */
export function stepJobId(exportId: string, what: string): string {
  return stepRequestId('export-job', exportId, what);
}

export { getExport } from './store.ts';
