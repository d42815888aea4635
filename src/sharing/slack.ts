import type { BlockAction, RespondFn, ViewSubmitAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { CatalogIds } from '../catalog/ids.ts';
import { refreshDetail, registerDetailSection } from '../catalog/detail.ts';
import * as catalog from '../catalog/service.ts';
import { imageMessageCard } from '../catalog/views.ts';
import { type CommandInput, parseUserRef } from '../commands.ts';
import { ForbiddenError, UserError } from '../errors.ts';
import { can } from '../policy.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import { changeApprover, listApprovers, refreshUsergroup } from './approvers.ts';
import { SharingIds } from './ids.ts';
import * as service from './service.ts';
import { OverDetailMetadata } from '../catalog/views.ts';
import { readMetadata, STALE_FORM } from '../platform/view-metadata.ts';
import { approversText, DenyMetadata, denyModal, detailButtons, sentModal, shareModal } from './views.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';
import { pickOne } from '../resolve.ts';
import { toThreadEvent, type MessageEventShape } from '../platform/thread-events.ts';

const buttonValue = (action: BlockAction['actions'][number]) => (action.type === 'button' ? (action.value ?? '') : '');

export function registerSharingListeners({ ctx, bolt, router }: Registration): void {
  registerDetailSection('sharing', { buttons: detailButtons });

  /** The request modal, from a button (detail modal, App Home) or `/demo share`. */
  async function openShareModal(triggerId: string, userId: string, push: boolean, parentViewId: string | null, find: () => Promise<{ id: string }>) {
    await modalFlow(ctx.slack, ctx.log, { triggerId, title: 'Share an image', push }, async () => {
      const actor = await ctx.actor(userId);
      const image = await service.shareableImage(ctx, actor, (await find()).id);
      return shareModal(image, imageMessageCard(image), service.approvalsChannel(ctx), parentViewId);
    });
  }

  const detailParent = (body: BlockAction) => (body.view?.callback_id === CatalogIds.detailView ? body.view.id : null);

  bolt.action<BlockAction>(SharingIds.share, async ({ ack, body, action }) => {
    await ack();
    const imageId = buttonValue(action);
    await openShareModal(body.trigger_id, body.user.id, body.view?.type === 'modal', detailParent(body), async () => ({ id: imageId }));
  });

  router.add({
    name: 'share',
    usage: '/demo share <image>',
    summary: 'ask an approver to share one of your saved images with everyone',
    run: async (input, respond) => {
      // All of them: one already shared or waiting gets its own answer from the modal.
      const mine = await catalog.savedImagesNamed(ctx, input.userId);
      const image = await pickOne(respond, input.rest, mine, { what: 'saved image', rerun: (id) => `share ${id}`, browse: 'images' });
      if (image) await openShareModal(input.triggerId, input.userId, false, null, async () => image);
    },
  });

  bolt.view<ViewSubmitAction>(SharingIds.requestView, async ({ ack, body, view }) => {
    const meta = readMetadata(OverDetailMetadata, view.private_metadata);
    if (!meta) return void (await ack({ response_action: 'errors', errors: { [SharingIds.noteBlock]: STALE_FORM } }));
    const { imageId, parentViewId } = meta;
    const note = view.state.values[SharingIds.noteBlock]?.[SharingIds.note]?.value ?? '';
    let title: string;
    try {
      // One short transaction: a refusal is shown in the modal itself.
      const request = await service.requestShare(ctx, await ctx.actor(body.user.id), {
        imageId,
        note,
        submissionKey: `share:${view.id}`,
      });
      title = (await catalog.getImage(ctx.db, request.imageId))?.title ?? 'your image';
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await ack({ response_action: 'errors', errors: { [SharingIds.noteBlock]: err.message.slice(0, 150) } });
      return;
    }
    await ack({ response_action: 'update', view: sentModal(title, service.approvalsChannel(ctx)) });
    await refreshDetail(ctx, parentViewId, body.user.id, imageId);
  });

  /** An approver's actor, with the user group's members fresh (cached a few minutes). */
  async function approverActor(userId: string) {
    await refreshUsergroup(ctx);
    return ctx.actor(userId);
  }

  // Refusals and "already decided" go back to the clicker only (UserError → ephemeral via response_url).
  bolt.action<BlockAction>(SharingIds.approve, async ({ ack, body, action }) => {
    await ack();
    await service.decide(ctx, await approverActor(body.user.id), buttonValue(action), { kind: 'approve' });
  });

  bolt.action<BlockAction>(SharingIds.deny, async ({ ack, body, action }) => {
    await ack();
    const request = await service.decidableRequest(ctx, await approverActor(body.user.id), buttonValue(action), 'deny');
    const title = (await catalog.getImage(ctx.db, request.imageId))?.title ?? 'a deleted image';
    const source = body.channel?.id && body.message?.ts ? { channel: body.channel.id, ts: body.message.ts } : null;
    await ctx.slack.views.open({ trigger_id: body.trigger_id, view: denyModal(request, title, source) });
  });

  bolt.view<ViewSubmitAction>(SharingIds.denyView, async ({ ack, body, view }) => {
    const requestId = readMetadata(DenyMetadata, view.private_metadata)?.requestId;
    if (!requestId) return void (await ack({ response_action: 'errors', errors: { [SharingIds.reasonBlock]: STALE_FORM } }));
    const reason = view.state.values[SharingIds.reasonBlock]?.[SharingIds.reason]?.value ?? '';
    try {
      await service.decide(ctx, await ctx.actor(body.user.id), requestId, { kind: 'deny', reason });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await ack({ response_action: 'errors', errors: { [SharingIds.reasonBlock]: err.message.slice(0, 150) } });
      return;
    }
    await ack();
  });

  for (const [actionId, run] of [
    [SharingIds.unshare, service.unshare],
    [SharingIds.withdraw, service.withdraw],
  ] as const) {
    bolt.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const imageId = buttonValue(action);
      await run(ctx, await ctx.actor(body.user.id), imageId);
      // The button sits in the image detail: show the image as it is now.
      if (body.view?.callback_id === CatalogIds.detailView) await refreshDetail(ctx, body.view.id, body.user.id, imageId);
    });
  }

  router.add({
    name: 'unshare',
    usage: '/demo unshare <image>',
    summary: "take a shared image out of everyone's catalog (or withdraw a pending share request)",
    run: async (input, respond) => {
      const actor = await ctx.actor(input.userId);
      // Your own shared or pending images, and any shared image named (the policy answers who may).
      const others = input.rest ? await catalog.imagesNamed(ctx, input.userId, input.rest) : [];
      const candidates = [...(await catalog.savedImagesNamed(ctx, input.userId)), ...others.filter((i) => i.ownerId !== input.userId)];
      const unshareable = candidates.filter((i) => i.visibility === 'shared' || i.visibility === 'pending');
      const image = await pickOne(respond, input.rest, unshareable, { what: 'shared image', rerun: (id) => `unshare ${id}`, browse: 'images' });
      if (!image) return;
      const pending = image.visibility === 'pending';
      await (pending ? service.withdraw(ctx, actor, image.id) : service.unshare(ctx, actor, image.id));
      const title = escapeMrkdwn(image.title);
      await respond({
        response_type: 'ephemeral',
        text: pending ? `:leftwards_arrow_with_hook: Withdrew the request to share *${title}*. It stays private.` : `:lock: *${title}* is private again.`,
      });
    },
  });

  // A question in a request's thread reaches its requester (message events of the approvals channel).
  bolt.event('message', async ({ event }) => {
    const ev = toThreadEvent(event as unknown as MessageEventShape, ctx.identity.botUserId);
    if (ev?.kind === 'reply' && (await service.noteThreadReply(ctx, ev))) ctx.log.info({ channel: ev.channel, ts: ev.ts }, 'share request thread reply');
  });

  router.admin.set('approvers', {
    name: 'approvers',
    usage: '/demo admin approvers add|remove|list [@user]',
    summary: 'who may approve share requests (your changes replace the configured list)',
    adminOnly: true,
    run: (input, respond) => approversCommand(input, respond),
  });

  async function approversCommand(input: CommandInput, respond: RespondFn) {
    const actor = await ctx.actor(input.userId);
    const decision = can(actor, 'approver_admin', { kind: 'org' });
    if (!decision.allowed) throw new ForbiddenError(decision.reason!);
    const [op = 'list', who] = input.args;
    if (op === 'list') {
      await respond({ response_type: 'ephemeral', text: approversText(await listApprovers(ctx), ctx.config.adminUserIds) });
      return;
    }
    if (op !== 'add' && op !== 'remove') throw new UserError('Use `/demo admin approvers add @user`, `remove @user` or `list`.');
    const userId = parseUserRef(who);
    if (!userId) throw new UserError(`Mention the person, e.g. \`/demo admin approvers ${op} @maria\` (or give their member ID, like U0123ABCD).`);
    const { changed, seeded } = await changeApprover(ctx, input.userId, op, userId);
    const what =
      op === 'add'
        ? changed
          ? `<@${userId}> can now approve share requests.`
          : `<@${userId}> was already an approver.`
        : changed
          ? `<@${userId}> no longer approves share requests.`
          : `<@${userId}> was not an approver.`;
    const note = seeded.length
      ? `\nFrom now on this list replaces the configuration; it started from the configured approvers (${seeded.map((u) => `<@${u}>`).join(', ')}).`
      : '';
    await respond({ response_type: 'ephemeral', text: `${what}${note}\n\n${approversText(await listApprovers(ctx), ctx.config.adminUserIds)}` });
  }
}
