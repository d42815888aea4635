import type { AppContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import { imageMessageCard } from '../catalog/views.ts';
import { CommentJobs } from '../comments/ids.ts';
import { archiveUrl } from '../platform/slack-messages.ts';
import { section } from '../platform/blocks.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { SHARE_DECISION_EVENT, SHARE_REQUEST_EVENT, SHARE_THREAD_EVENT } from './ids.ts';
import { rememberOwnerName } from './owner-names.ts';
import { expiresAt } from './service.ts';
import * as store from './store.ts';
import type { Outcome, ShareRequest } from './store.ts';
import { decisionDm, requestMessage, threadReplyDm } from './views.ts';

/** The request message as it should look now (pending with buttons, or closed with the outcome). */
async function render(ctx: AppContext, request: ShareRequest) {
  const image = await catalog.getImage(ctx.db, request.imageId);
  const title = image?.title ?? 'a deleted image';
  return requestMessage({ request, imageTitle: title, card: image ? imageMessageCard(image) : [], expiresAt: expiresAt(ctx, request) });
}

/** Post the request into the approvals channel once (metadata + history check), then record where. */
export async function postRequestJob(ctx: AppContext, data: { requestId: string }): Promise<void> {
  const request = await store.getRequest(ctx.db, data.requestId);
  if (!request || request.messageTs) return;
  const channel = ctx.config.sharing.approvalsChannel;
  if (!channel) throw new Error('SHARE_APPROVALS_CHANNEL is not configured; the request cannot be posted');
  // Colleagues will search for the owner by name once it is shared (best effort, cached a day).
  await rememberOwnerName(ctx, request.requesterId);
  const posted = await postOnce(ctx.slack, ctx.poster, { channel, eventType: SHARE_REQUEST_EVENT, key: request.id, ...(await render(ctx, request)) });
  await store.recordMessage(ctx.db, request.id, posted.channel, posted.ts);
  // Withdrawn (or expired) while this was posting: the "decided" job may have found no message yet.
  const now = await store.getRequest(ctx.db, request.id);
  if (now && now.status !== 'pending') await ctx.slack.chat.update({ channel: posted.channel, ts: posted.ts, ...(await render(ctx, now)) });
  await ctx.events.emit('images-changed', { userId: request.requesterId });
}

/**
 * After a request closes: the request message shows the outcome without buttons (chat.update is
 * idempotent), the requester gets one DM (postOnce), and an approved image gets its catalog thread.
 */
export async function decidedJob(ctx: AppContext, data: { requestId: string }): Promise<void> {
  const request = await store.getRequest(ctx.db, data.requestId);
  if (!request || request.status === 'pending') return;
  if (request.channel && request.messageTs) {
    await ctx.slack.chat.update({ channel: request.channel, ts: request.messageTs, ...(await render(ctx, request)) });
  }
  const image = await catalog.getImage(ctx.db, request.imageId);
  const link = request.channel && request.messageTs ? archiveUrl(ctx.identity.url, request.channel, request.messageTs) : null;
  const text = decisionDm(request as ShareRequest & { status: Outcome }, image?.title ?? 'your image', {
    request: link,
    expiryDays: ctx.config.sharing.requestExpiryDays,
  });
  if (text)
    await postOnce(ctx.slack, ctx.poster, { channel: request.requesterId, eventType: SHARE_DECISION_EVENT, key: request.id, text, blocks: [section(text)] });
  // Its own job: a thread that cannot be created yet must not hold back the DM above.
  if (request.status === 'approved' && image) await ctx.jobs.send(CommentJobs.thread, { imageId: image.id });
  await ctx.events.emit('images-changed', { userId: request.requesterId });
}

/** Tell the requester about one reply in their request's thread, once (keyed by the reply). */
export async function threadReplyJob(ctx: AppContext, data: { requestId: string; channel: string; ts: string; user: string; words: string }): Promise<void> {
  const request = await store.getRequest(ctx.db, data.requestId);
  if (!request?.messageTs) return;
  const image = await catalog.getImage(ctx.db, request.imageId);
  const link = archiveUrl(ctx.identity.url, data.channel, data.ts, request.messageTs);
  const text = threadReplyDm({ user: data.user, words: data.words, imageTitle: image?.title ?? 'a deleted image', link });
  await postOnce(ctx.slack, ctx.poster, {
    channel: request.requesterId,
    eventType: SHARE_THREAD_EVENT,
    key: `${data.channel}:${data.ts}`,
    text,
    blocks: [section(text)],
  });
}
