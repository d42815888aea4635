import type { BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { CatalogIds } from '../catalog/ids.ts';
import { refreshDetail, registerDetailSection } from '../catalog/detail.ts';
import * as catalog from '../catalog/service.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { can } from '../policy.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import { CommentIds } from './ids.ts';
import * as service from './service.ts';
import { toThreadEvent, type MessageEventShape } from '../platform/thread-events.ts';
import { OverDetailMetadata } from '../catalog/views.ts';
import { readMetadata, STALE_FORM } from '../platform/view-metadata.ts';
import { commentModal, commentsListView, detailBlocks, LIST_LIMIT } from './views.ts';

export function registerCommentListeners({ ctx, bolt }: Registration): void {
  registerDetailSection('comments', { blocks: detailBlocks });
  const inModal = (body: BlockAction) => body.view?.type === 'modal';

  bolt.action<BlockAction>(CommentIds.comment, async ({ ack, body, action }) => {
    await ack();
    const imageId = action.type === 'button' ? (action.value ?? '') : '';
    const parentViewId = body.view?.callback_id === CatalogIds.detailView ? body.view.id : null;
    await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: 'Comment', push: inModal(body) }, async () => {
      const image = await catalog.getImage(ctx.db, imageId);
      const actor = await ctx.actor(body.user.id);
      if (!image || !can(actor, 'comment', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility }).allowed) {
        throw new NotFoundError('That image is no longer in the catalog (or is private).');
      }
      return commentModal(image, parentViewId);
    });
  });

  // The insert is one short transaction, so a refusal can be shown in the modal itself.
  bolt.view<ViewSubmitAction>(CommentIds.commentView, async ({ ack, body, view }) => {
    const meta = readMetadata(OverDetailMetadata, view.private_metadata);
    if (!meta) return void (await ack({ response_action: 'errors', errors: { [CommentIds.bodyBlock]: STALE_FORM } }));
    const { imageId, parentViewId } = meta;
    const text = view.state.values[CommentIds.bodyBlock]?.[CommentIds.body]?.value ?? '';
    try {
      await service.addComment(ctx, await ctx.actor(body.user.id), imageId, text);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await ack({ response_action: 'errors', errors: { [CommentIds.bodyBlock]: err.message.slice(0, 150) } });
      return;
    }
    await ack();
    await refreshDetail(ctx, parentViewId, body.user.id, imageId);
  });

  bolt.action<BlockAction>(CommentIds.showMore, async ({ ack, body, action }) => {
    await ack();
    const imageId = action.type === 'button' ? (action.value ?? '') : '';
    await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: 'Comments', push: inModal(body) }, async () => {
      const d = await catalog.comments(ctx, await ctx.actor(body.user.id), imageId, LIST_LIMIT);
      return commentsListView({ imageId: d.image.id, title: d.image.title, comments: d.comments, total: d.total, threadUrl: d.threadUrl });
    });
  });

  // Replies typed in an image's thread, and their edits and deletions. Retries of one event
  // (same event_id) store nothing twice: (slack_channel, slack_ts) is unique.
  bolt.event('message', async ({ event }) => {
    const ev = toThreadEvent(event as unknown as MessageEventShape, ctx.identity.botUserId);
    if (!ev) return;
    const outcome = await service.followThread(ctx, ev);
    if (outcome !== 'ignored') ctx.log.info({ channel: ev.channel, ts: ev.ts, outcome }, 'comment followed from Slack');
  });
}
