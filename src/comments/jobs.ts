import type { AppContext } from '../context.ts';
import { COMMENT_EVENT } from './ids.ts';
import { ensureThread } from './service.ts';
import * as store from './store.ts';
import { replyText } from './views.ts';

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
  const ts =
    (await findReply(ctx, thread, comment.id)) ??
    (
      await ctx.poster.postMessage({
        channel: thread.channel,
        thread_ts: thread.ts,
        text: replyText(comment.authorId, comment.body),
        metadata: { event_type: COMMENT_EVENT, event_payload: { key: comment.id } },
        unfurl_links: false,
      })
    ).ts!;
  await store.recordPosted(ctx.db, comment.id, thread.channel, ts);
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
