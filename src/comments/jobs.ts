import type { AppContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { COMMENT_DM_EVENT, COMMENT_EVENT, CommentJobs } from './ids.ts';
import { ensureThread } from './service.ts';
import * as store from './store.ts';
import { commentDmMessage, replyMessage } from './views.ts';
import { shownName, userProfile } from '../platform/user-profiles.ts';

/** Create an image's thread (on sharing or publishing). Idempotent: ensureThread posts once. */
export async function threadJob(ctx: AppContext, data: { imageId: string }): Promise<void> {
  await ensureThread(ctx, data.imageId);
}

/**
 * Post a comment written in the app into its image's thread, once: the reply carries the comment id
 * in its metadata, and a retry looks for it in the thread before posting again.
 */
export async function postCommentJob(ctx: AppContext, data: { commentId: string }): Promise<void> {
  const comment = await store.getComment(ctx.db, data.commentId);
  if (!comment || comment.deleted || comment.slackTs) return;
  const thread = await ensureThread(ctx, comment.imageId);
  if (!thread) return; // no catalog channel configured: the comment lives in the catalog only
  let ts = await findReply(ctx, thread, comment.id);
  if (!ts) {
    const author = await authorLook(ctx, comment.authorId);
    const posted = await ctx.poster.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      ...replyMessage(comment.authorId, comment.body, author !== null),
      ...author,
      metadata: { event_type: COMMENT_EVENT, event_payload: { key: comment.id } },
      unfurl_links: false,
    });
    ts = posted.ts!;
  }
  await store.recordPosted(ctx.db, comment.id, thread.channel, ts);
}

/** The commenter's name and picture as Slack shows them, or null when Slack cannot tell (then the text names them). */
async function authorLook(ctx: AppContext, userId: string): Promise<{ username: string; icon_url?: string } | null> {
  const profile = await userProfile(ctx, userId);
  const username = shownName(profile)?.slice(0, 80);
  return username ? { username, ...(profile?.image72 ? { icon_url: profile.image72 } : {}) } : null;
}

async function findReply(ctx: AppContext, thread: { channel: string; ts: string }, commentId: string): Promise<string | null> {
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await ctx.slack.conversations.replies({ channel: thread.channel, ts: thread.ts, include_all_metadata: true, limit: 200, cursor });
    const found = res.messages?.find(
      (m) => m.metadata?.event_type === COMMENT_EVENT && (m.metadata.event_payload as { key?: string } | undefined)?.key === commentId,
    );
    if (found?.ts) return found.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}

const DM_BATCH_LIMIT = 50;

/**
 * Tell an image's owner about the comments not yet told, in one DM (keyed by the job id, so a retry
 * posts it once), then mark them told. The owner's own comments and a muted owner get no DM.
 */
export async function ownerDmJob(ctx: AppContext, data: { imageId: string }, jobId: string): Promise<void> {
  const pending = await store.unnotified(ctx.db, data.imageId, DM_BATCH_LIMIT);
  if (!pending.length) return;
  const image = await catalog.getImage(ctx.db, data.imageId);
  const owner = image?.ownerId ?? null;
  const news = pending.filter((c) => !c.deleted && c.authorId !== owner);
  if (image && owner && news.length && !(await store.commentDmsMuted(ctx.db, owner))) {
    const link = await threadLink(ctx, image.id, news);
    await postOnce(ctx.slack, ctx.poster, { channel: owner, eventType: COMMENT_DM_EVENT, key: jobId, ...commentDmMessage(image.title, news, link) });
  }
  await store.markOwnerNotified(
    ctx.db,
    pending.map((c) => c.id),
    ctx.clock.now(),
  );
  // More than one DM's worth waiting: the rest go in the next one.
  if (pending.length === DM_BATCH_LIMIT) await ctx.jobs.send(CommentJobs.ownerDm, data, { singletonKey: data.imageId });
}

/** A link that opens the image's thread at the newest of these comments (or at its top). */
async function threadLink(ctx: AppContext, imageId: string, comments: store.Comment[]): Promise<string | null> {
  const thread = await store.threadOf(ctx.db, imageId);
  if (!thread?.channel || !catalog.isPostedThread(thread.ts)) return null;
  const newest = comments.findLast((c) => c.slackChannel === thread.channel && c.slackTs)?.slackTs ?? thread.ts!;
  const res = await ctx.slack.chat.getPermalink({ channel: thread.channel, message_ts: newest });
  return res.permalink ?? null;
}
