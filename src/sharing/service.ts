import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Database } from '../platform/db-schema.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { can, type Actor } from '../policy.ts';
import * as catalog from '../catalog/service.ts';
import type { CatalogImageRef } from '../catalog/service.ts';
import { SharingJobs } from './ids.ts';
import * as store from './store.ts';
import type { ShareRequest } from './store.ts';
import { alreadyDecided, MAX_NOTE, MAX_REASON } from './views.ts';
import { claimSubmission } from '../platform/submissions.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';
import type { ThreadEvent } from '../platform/thread-events.ts';

/**
 * Share requests: an owner asks, an approver decides once, the image becomes `shared` (everyone's
 * catalog) or goes back to `private`. Every state change is one transaction with its audit row and
 * the job that tells Slack, so a crash never leaves the message, the DM and the database disagreeing.
 */

const DAY_MS = 24 * 3600_000;

export function approvalsChannel(ctx: AppContext): string {
  const channel = ctx.config.sharing.approvalsChannel;
  if (!channel) throw new UserError('Sharing is not set up yet: an admin needs to set SHARE_APPROVALS_CHANNEL (the channel where approvers decide).');
  return channel;
}

export function expiresAt(ctx: AppContext, r: ShareRequest): Date {
  return new Date(r.createdAt.getTime() + ctx.config.sharing.requestExpiryDays * DAY_MS);
}

/** The image the actor may ask to share, or why not. */
export async function shareableImage(ctx: AppContext, actor: Actor, imageId: string): Promise<CatalogImageRef> {
  const image = await catalog.getImage(ctx.db, imageId);
  if (!image) throw new NotFoundError('That image no longer exists.');
  if (image.visibility === 'pending' && image.ownerId === actor.userId) {
    throw new UserError(
      `*${escapeMrkdwn(image.title)}* is already waiting for an approver. You can withdraw the request from the image's details or with \`/demo unshare ${image.displayName}\`.`,
    );
  }
  const decision = can(actor, 'share', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (image.status !== 'ready') throw new UserError(`*${escapeMrkdwn(image.title)}* is still being saved; share it once it is ready.`);
  return image;
}

export interface ShareAsk {
  imageId: string;
  note: string;
  /** The modal's view id: a double submit or a Slack retry asks once. */
  submissionKey: string;
}

export async function requestShare(ctx: AppContext, actor: Actor, ask: ShareAsk): Promise<ShareRequest> {
  approvalsChannel(ctx);
  const note = ask.note.trim();
  if (note.length > MAX_NOTE) throw new UserError(`The note can be at most ${MAX_NOTE.toLocaleString('en')} characters.`);
  const now = ctx.clock.now();
  const id = randomUUID();
  const earlier = await ctx.db.selectFrom('submissions').select('resource_id').where('key', '=', ask.submissionKey).executeTakeFirst();
  if (earlier) return (await store.getRequest(ctx.db, earlier.resource_id))!;
  await shareableImage(ctx, actor, ask.imageId);
  const created = await ctx.db.transaction().execute(async (trx) => {
    const raced = await claimSubmission(trx, ask.submissionKey, 'share', id, now);
    if (raced) return { request: (await store.getRequest(trx, raced))!, fresh: false };
    // The conditional update is the lock: a concurrent ask or an owner change loses here.
    if (!(await store.setVisibility(trx, ask.imageId, 'private', 'pending', now))) {
      throw new UserError('That image changed meanwhile (already shared or waiting for approval). Open it again to see where it stands.');
    }
    const request = await store.insertRequest(trx, { id, imageId: ask.imageId, requesterId: actor.userId, note, now });
    await store.audit(trx, {
      now,
      actorId: actor.userId,
      action: 'share.request',
      resourceKind: 'share_request',
      resourceId: request.id,
      after: { imageId: ask.imageId, note },
    });
    await ctx.jobs.send(SharingJobs.post, { requestId: request.id }, { trx });
    return { request, fresh: true };
  });
  return created.request;
}

/** A reply in a request's thread by someone else: its requester hears about it (a job, so Slack being slow only delays it). */
export async function noteThreadReply(ctx: AppContext, ev: Extract<ThreadEvent, { kind: 'reply' }>): Promise<boolean> {
  const request = await store.requestByMessage(ctx.db, ev.channel, ev.threadTs);
  if (!request || request.requesterId === ev.user) return false;
  const words = (ev.text ?? '').trim() || (ev.hasFiles ? '_(shared a file)_' : '');
  await ctx.jobs.send(SharingJobs.threadReply, { requestId: request.id, channel: ev.channel, ts: ev.ts, user: ev.user, words: words.slice(0, 1000) });
  return true;
}

/** The request an approver is about to decide, or why they can't (checked before the Deny modal opens too). */
export async function decidableRequest(ctx: AppContext, actor: Actor, requestId: string, action: 'approve' | 'deny'): Promise<ShareRequest> {
  const request = await store.getRequest(ctx.db, requestId);
  if (!request) throw new NotFoundError('That share request no longer exists.');
  const imageOwnerId = (await catalog.getImage(ctx.db, request.imageId))?.ownerId ?? null;
  const decision = can(actor, action, { kind: 'share_request', requesterId: request.requesterId, imageOwnerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (request.status !== 'pending') throw new UserError(alreadyDecided(request));
  return request;
}

export type Decision = { kind: 'approve' } | { kind: 'deny'; reason: string };

/** Approve or deny, once: the conditional update on status='pending' makes a second click a no-op. */
export async function decide(ctx: AppContext, actor: Actor, requestId: string, d: Decision): Promise<ShareRequest> {
  const reason = d.kind === 'deny' ? d.reason.trim() : null;
  if (d.kind === 'deny' && !reason) throw new UserError('Say why, so the requester knows what to change.');
  if (reason && reason.length > MAX_REASON) throw new UserError(`The reason can be at most ${MAX_REASON} characters.`);
  const request = await decidableRequest(ctx, actor, requestId, d.kind);
  const image = await catalog.getImage(ctx.db, request.imageId);
  if (!image) throw new UserError('The image was deleted meanwhile, so there is nothing to share. Nothing was changed.');
  const status = d.kind === 'approve' ? 'approved' : 'denied';
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const closed = await store.close(trx, request.id, { status, decidedBy: actor.userId, reason, now });
    if (!closed) throw new UserError(alreadyDecided((await store.getRequest(trx, request.id))!));
    await store.setVisibility(trx, request.imageId, 'pending', status === 'approved' ? 'shared' : 'private', now);
    await store.audit(trx, {
      now,
      actorId: actor.userId,
      action: `share.${d.kind}`,
      resourceKind: 'share_request',
      resourceId: request.id,
      before: { status: 'pending' },
      after: { status, imageId: request.imageId, reason },
    });
    await ctx.jobs.send(SharingJobs.decided, { requestId: request.id }, { trx });
    return closed;
  });
}

/** The owner (or an admin) takes a pending request back; the image stays private. */
export async function withdraw(ctx: AppContext, actor: Actor, imageId: string): Promise<ShareRequest> {
  const request = await store.pendingFor(ctx.db, imageId);
  if (!request) throw new UserError('There is no pending share request for that image.');
  const decision = can(actor, 'withdraw', { kind: 'share_request', requesterId: request.requesterId, imageOwnerId: null });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  // An admin withdrawing for someone is named (decided_by may be anyone but the requester).
  const by = actor.userId === request.requesterId ? null : actor.userId;
  return closeWithout(ctx, request, { status: 'withdrawn', actorId: actor.userId, decidedBy: by });
}

/** Why a request was withdrawn when its image changed hands (shown in the thread and the requester's DM). */
const HANDED_OVER = 'the image was handed over to a colleague';

/**
 * A pending image handed over takes its share request with it, in the hand-over's transaction: the
 * new owner did not ask, and an approver must never decide on an image of their own.
 */
export async function withdrawOnHandover(ctx: AppContext, e: { imageId: string; actorId: string; trx: Transaction<Database> }): Promise<void> {
  const request = await store.pendingFor(e.trx, e.imageId);
  if (!request) return;
  const decidedBy = e.actorId === request.requesterId ? null : e.actorId;
  await closeIn(ctx, e.trx, request, { status: 'withdrawn', actorId: e.actorId, decidedBy, reason: HANDED_OVER });
}

/** Closed without an approver: withdrawn (by the requester, or an admin for them) or expired. */
function closeWithout(
  ctx: AppContext,
  request: ShareRequest,
  to: { status: 'withdrawn' | 'expired'; actorId: string; decidedBy: string | null },
): Promise<ShareRequest> {
  return ctx.db.transaction().execute((trx) => closeIn(ctx, trx, request, { ...to, reason: null }));
}

async function closeIn(
  ctx: AppContext,
  trx: Transaction<Database>,
  request: ShareRequest,
  to: { status: 'withdrawn' | 'expired'; actorId: string; decidedBy: string | null; reason: string | null },
): Promise<ShareRequest> {
  const now = ctx.clock.now();
  const closed = await store.close(trx, request.id, { status: to.status, decidedBy: to.decidedBy, reason: to.reason, now });
  if (!closed) throw new UserError(alreadyDecided((await store.getRequest(trx, request.id))!));
  await store.setVisibility(trx, request.imageId, 'pending', 'private', now);
  await store.audit(trx, {
    now,
    actorId: to.actorId,
    action: `share.${to.status === 'withdrawn' ? 'withdraw' : 'expire'}`,
    resourceKind: 'share_request',
    resourceId: request.id,
    before: { status: 'pending' },
    after: { status: to.status, imageId: request.imageId },
  });
  await ctx.jobs.send(SharingJobs.decided, { requestId: request.id }, { trx });
  return closed;
}

/** Owner or admin: a shared image leaves everyone's catalog (copies others saved stay theirs). */
export async function unshare(ctx: AppContext, actor: Actor, imageId: string): Promise<CatalogImageRef> {
  const image = await catalog.getImage(ctx.db, imageId);
  if (!image) throw new NotFoundError('That image no longer exists.');
  const decision = can(actor, 'unshare', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await store.setVisibility(trx, image.id, 'shared', 'private', now))) throw new UserError('That image is no longer shared. Nothing was changed.');
    await store.audit(trx, {
      now,
      actorId: actor.userId,
      action: 'share.unshare',
      resourceKind: 'image',
      resourceId: image.id,
      before: { visibility: 'shared' },
      after: { visibility: 'private' },
    });
  });
  if (image.ownerId && image.ownerId !== actor.userId) {
    const text = `:lock: <@${actor.userId}> unshared your image *${escapeMrkdwn(image.title)}*: it is private to you again.`;
    await ctx.poster
      .postMessage({ channel: image.ownerId, text })
      .catch((err: unknown) => ctx.log.warn({ err, imageId }, 'could not tell the owner about an unshare'));
  }
  if (image.ownerId) await ctx.events.emit('images-changed', { userId: image.ownerId });
  return { ...image, visibility: 'private' };
}

/** Pending requests older than SHARE_REQUEST_EXPIRY_DAYS expire; their requesters are told. */
export async function expireOld(ctx: AppContext, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ctx.config.sharing.requestExpiryDays * DAY_MS);
  let expired = 0;
  for (;;) {
    const batch = await store.pendingOlderThan(ctx.db, cutoff, 100);
    for (const request of batch) {
      try {
        await closeWithout(ctx, request, { status: 'expired', actorId: 'share-expiry', decidedBy: null });
        expired++;
      } catch (err) {
        if (!(err instanceof UserError)) throw err; // decided meanwhile: nothing to expire
      }
    }
    if (batch.length < 100) return expired;
  }
}
