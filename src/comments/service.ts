import type { Transaction } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Database } from '../platform/db-schema.ts';
import type { ThreadEvent } from '../platform/thread-events.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { can, type Actor } from '../policy.ts';
import * as catalog from '../catalog/service.ts';
import { imageMessageCard } from '../catalog/views.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { CommentJobs, IMAGE_THREAD_EVENT } from './ids.ts';
import * as store from './store.ts';
import { MAX_INPUT, threadParent } from './views.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';

/** A creator that has held a thread claim this long is presumed dead; another may take over. */
const CLAIM_STALE_MS = 2 * 60_000;
const CLAIM_WAIT_MS = 250;
const CLAIM_WAITS = 40;

/** A comment written in the app: stored now, posted into the image's thread by a job. */
export async function addComment(ctx: AppContext, actor: Actor, imageId: string, text: string): Promise<string> {
  const words = text.trim();
  if (!words) throw new UserError('Write something first: the comment is empty.');
  if (words.length > MAX_INPUT) throw new UserError(`A comment can be at most ${MAX_INPUT.toLocaleString('en')} characters.`);
  const image = await catalog.getImage(ctx.db, imageId);
  if (!image) throw new NotFoundError('That image is no longer in the catalog.');
  const decision = can(actor, 'comment', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const id = await store.insertComment(trx, { imageId, authorId: actor.userId, body: escapeMrkdwn(words), slackChannel: null, slackTs: null, now });
    await ctx.jobs.send(CommentJobs.post, { commentId: id! }, { trx });
    await queueOwnerDm(ctx, trx, imageId);
    return id!;
  });
}

/**
 * A new comment: the image's owner hears about it in the next batch. One job per image waits out the
 * batch window (the queue's `short` policy drops a second send while one waits); it takes every
 * comment not yet told.
 */
async function queueOwnerDm(ctx: AppContext, trx: Transaction<Database>, imageId: string): Promise<void> {
  await ctx.jobs.send(CommentJobs.ownerDm, { imageId }, { trx, singletonKey: imageId, startAfter: ctx.config.sharing.commentDmBatchSeconds });
}

export const commentDmsMuted = (ctx: AppContext, userId: string) => store.commentDmsMuted(ctx.db, userId);
export const setCommentDmsMuted = (ctx: AppContext, userId: string, muted: boolean) => store.setCommentDmsMuted(ctx.db, userId, muted, ctx.clock.now());

/**
 * The image's thread in the catalog channel, posted exactly once: a claim on the image row keeps two
 * creators (two first comments at once) apart, and postOnce's metadata finds the parent again after
 * a crash between posting and recording. Null when no catalog channel is configured.
 */
export async function ensureThread(ctx: AppContext, imageId: string): Promise<{ channel: string; ts: string } | null> {
  const channel = ctx.config.sharing.catalogChannel;
  if (!channel) return null;
  for (let waited = 0; ; waited++) {
    const current = await store.threadOf(ctx.db, imageId);
    if (!current) return null;
    if (current.channel && catalog.isPostedThread(current.ts)) return { channel: current.channel, ts: current.ts };
    const now = ctx.clock.now();
    const claimedAt = current.ts === null ? null : Number(current.ts.split(':').at(-1));
    if (claimedAt !== null && now.getTime() - claimedAt < CLAIM_STALE_MS) {
      // Another worker is posting it, normally within a second: wait here rather than in a job retry.
      if (waited >= CLAIM_WAITS) throw new Error(`the thread of image ${imageId} is still being created by another worker; retry`);
      await new Promise((r) => setTimeout(r, CLAIM_WAIT_MS));
      continue;
    }
    const claim = { channel, ts: `${catalog.THREAD_CLAIM_PREFIX}${imageId}:${now.getTime()}` };
    if (await store.swapThread(ctx.db, imageId, current, claim)) return postThread(ctx, imageId, claim);
  }
}

async function postThread(ctx: AppContext, imageId: string, claim: { channel: string; ts: string }): Promise<{ channel: string; ts: string } | null> {
  try {
    const image = await catalog.getImage(ctx.db, imageId);
    if (!image) throw new Error(`image ${imageId} disappeared while its thread was being created`);
    const { text, blocks } = threadParent(image.title, imageMessageCard(image));
    const posted = await postWithJoin(ctx, claim.channel, () =>
      postOnce(ctx.slack, ctx.poster, { channel: claim.channel, eventType: IMAGE_THREAD_EVENT, key: imageId, text, blocks }),
    );
    const thread = { channel: posted.channel, ts: posted.ts };
    // Lost the claim as presumed dead, and someone finished meanwhile: theirs (the same message, by metadata) stands.
    if (!(await store.swapThread(ctx.db, imageId, claim, thread))) return ensureThread(ctx, imageId);
    return thread;
  } catch (err) {
    await store.swapThread(ctx.db, imageId, claim, { channel: null, ts: null });
    throw err;
  }
}

/** The bot must be in a public channel to post or read its history: join once when told it is not. */
async function postWithJoin<T>(ctx: AppContext, channel: string, post: () => Promise<T>): Promise<T> {
  try {
    return await post();
  } catch (err) {
    if ((err as { data?: { error?: string } }).data?.error !== 'not_in_channel') throw err;
    await ctx.slack.conversations.join({ channel });
    return post();
  }
}

/** Slack message text → a comment body (mrkdwn as Slack sent it, within the column's limit). */
function bodyOf(text: string | undefined, hasFiles: boolean): string | null {
  const body = (text ?? '').trim() || (hasFiles ? '_(shared a file)_' : '');
  if (!body) return null;
  return body.length > store.MAX_BODY ? `${body.slice(0, store.MAX_BODY - 1)}…` : body;
}

/** Replies typed in a catalog thread become comments; edits and deletions follow. Idempotent. */
export async function followThread(ctx: AppContext, ev: ThreadEvent): Promise<'stored' | 'edited' | 'deleted' | 'ignored'> {
  const now = ctx.clock.now();
  if (ev.kind === 'reply') {
    const imageId = await store.imageByThread(ctx.db, ev.channel, ev.threadTs);
    const body = bodyOf(ev.text, ev.hasFiles);
    if (!imageId || !body) return 'ignored';
    const id = await ctx.db.transaction().execute(async (trx) => {
      const inserted = await store.insertComment(trx, { imageId, authorId: ev.user, body, slackChannel: ev.channel, slackTs: ev.ts, now });
      if (inserted) await queueOwnerDm(ctx, trx, imageId);
      return inserted;
    });
    return id ? 'stored' : 'ignored';
  }
  if (ev.kind === 'edit') {
    const body = bodyOf(ev.text, ev.hasFiles);
    if (!body) return (await store.deleteBySlack(ctx.db, ev.channel, ev.ts, now)) ? 'deleted' : 'ignored';
    return (await store.editBySlack(ctx.db, ev.channel, ev.ts, body, now)) ? 'edited' : 'ignored';
  }
  return (await store.deleteBySlack(ctx.db, ev.channel, ev.ts, now)) ? 'deleted' : 'ignored';
}
