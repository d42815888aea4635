import type { BlockAction, RespondFn, ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Registration } from '../capability.ts';
import type { AppContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { context, escapeMrkdwn, modal, section, slackDate } from '../platform/blocks.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import * as catalog from '../catalog/service.ts';
import { myImages } from './image-store.ts';
import { requestImageDelete } from './images.ts';
import { parseExtendArgs, parseExtendValue } from './lease.ts';
import { pickOne } from '../resolve.ts';
import { LifecycleIds } from './lifecycle-ids.ts';
import { readMetadata, STALE_FORM } from '../platform/view-metadata.ts';
import { extendAnswer, extendedMessage, extendedText, imageListMessage, SaveMetadata, saveModal, saveQueuedModal } from './lifecycle-views.ts';
import { keep } from './retention.ts';
import { liveDemos, requestSave, resume, saveableDemo } from './save.ts';
import type { AfterSave } from './save-store.ts';
import { extend } from './ttl.ts';
import { getDemo } from './store.ts';
import { resumeSuspended } from './suspend.ts';
import { savingSuspendedText } from './idle-views.ts';

/** Value of a clicked button (every lifecycle button carries a plain string). */
export const buttonValue = (action: BlockAction['actions'][number]) => (action.type === 'button' ? (action.value ?? '') : '');

/** Tell the clicker: ephemeral where Slack gave a response_url, a DM elsewhere (Home, modals). */
export async function notify(ctx: AppContext, body: BlockAction, respond: RespondFn | undefined, text: string): Promise<void> {
  if (body.response_url && respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  await ctx.poster.postMessage({ channel: body.user.id, text });
}

/** Open a modal from a click: pushed over a modal the click came from, else opened. */
export function modalFromClick(ctx: AppContext, body: BlockAction, title: string, build: () => Promise<View>): Promise<void> {
  return modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title, push: body.view?.type === 'modal' }, build);
}

/** The key that makes a double click on one rendered surface (a Home version, a message) act once. */
function surfaceKey(body: BlockAction): string {
  if (body.view) return `${body.view.id}:${body.view.hash}`;
  return `${body.container?.channel_id ?? body.channel?.id ?? ''}:${body.container?.message_ts ?? body.message?.ts ?? ''}`;
}

export function registerLifecycle({ ctx, bolt, router }: Registration): void {
  async function saveView(userId: string, demoId: string, after: AfterSave): Promise<View> {
    const actor = await ctx.actor(userId);
    // An image is made from a running or stopped VM: a suspended one is resumed first, and Save waits for it.
    if ((await getDemo(ctx.db, demoId))?.state === 'suspended') {
      const resuming = await resumeSuspended(ctx, demoId, actor);
      return modal({ title: 'Save as an image', blocks: [section(savingSuspendedText(resuming))] });
    }
    const demo = await saveableDemo(ctx, actor, demoId, { checkNow: true });
    const image = await catalog.getImage(ctx.db, demo.imageId);
    const title = `${image?.title ?? demo.displayName} — ${ctx.clock.now().toISOString().slice(0, 10)}`;
    return saveModal(demo, { title, after });
  }

  router.add({
    name: 'save',
    usage: '/demo save [demo]',
    summary: 'save a demo as a machine image of your own, to resume later',
    run: async (input, respond) => {
      const demos = await liveDemos(ctx, await ctx.actor(input.userId), input.rest);
      const demo = await pickOne(respond, input.rest, demos, { what: 'demo', rerun: (id) => `save ${id}`, browse: 'list' });
      if (demo) await modalFlow(ctx.slack, ctx.log, { triggerId: input.triggerId, title: 'Save as an image' }, () => saveView(input.userId, demo.id, 'keep'));
    },
  });

  router.add({
    name: 'extend',
    usage: '/demo extend [demo] [hours]',
    summary: `give a demo more time (${ctx.config.demo.extendHours} h unless you say), up to its maximum lifetime`,
    run: async (input, respond) => {
      const { words, hours } = parseExtendArgs(input.args, ctx.config.demo.maxTtlHours);
      const actor = await ctx.actor(input.userId);
      const rerun = (id: string) => ['extend', id, ...(hours ? [String(hours)] : [])].join(' ');
      const demo = await pickOne(respond, words, await liveDemos(ctx, actor, words), { what: 'demo', rerun, browse: 'list' });
      if (!demo) return;
      const { demo: now, extended } = await extend(ctx, actor, demo.id, demo.expiresAt, hours ?? undefined);
      await respond({ response_type: 'ephemeral', replace_original: false, text: extendAnswer(now, extended) });
    },
  });

  router.add({
    name: 'images',
    aliases: ['saved'],
    usage: '/demo images',
    summary: 'your saved images: resume, hand over or delete them',
    run: async (input, respond) => {
      const { items, total } = await myImages(ctx, input.userId, { offset: 0, limit: 20 });
      await respond({ response_type: 'ephemeral', ...imageListMessage(items, total) });
    },
  });

  router.add({
    name: 'resume',
    usage: '/demo resume <saved image>',
    summary: 'a new demo from one of your saved images',
    run: async (input, respond) => {
      const saved = await catalog.savedImagesNamed(ctx, input.userId);
      const image = await pickOne(respond, input.rest, saved, { what: 'saved image', rerun: (id) => `resume ${id}`, browse: 'images' });
      if (!image) return;
      const { demo } = await resume(ctx, await ctx.actor(input.userId), image.id, `resume:${image.id}:${input.triggerId}`);
      await respond({
        response_type: 'ephemeral',
        text: `:rocket: Resuming *${escapeMrkdwn(image.title)}* as \`${demo.displayName}\`. I'll DM you when it is ready.`,
      });
    },
  });

  for (const actionId of [LifecycleIds.save, LifecycleIds.saveAndStop]) {
    bolt.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const [demoId = '', after] = buttonValue(action).split('|');
      await modalFromClick(ctx, body, 'Save as an image', () => saveView(body.user.id, demoId, after === 'stop' ? 'stop' : 'keep'));
    });
  }

  bolt.view<ViewSubmitAction>(LifecycleIds.saveView, async ({ ack, body, view }) => {
    const demoId = readMetadata(SaveMetadata, view.private_metadata)?.demoId;
    const values = view.state.values;
    const title = (values[LifecycleIds.saveTitleBlock]?.[LifecycleIds.saveTitle]?.value ?? '').trim();
    const description = values[LifecycleIds.saveDescriptionBlock]?.[LifecycleIds.saveDescription]?.value ?? '';
    const after = values[LifecycleIds.saveAfterBlock]?.[LifecycleIds.saveAfter]?.selected_option?.value as AfterSave | undefined;
    if (!demoId || !title || !after) {
      await ack({
        response_action: 'errors',
        errors: !demoId
          ? { [LifecycleIds.saveTitleBlock]: STALE_FORM }
          : !title
            ? { [LifecycleIds.saveTitleBlock]: 'Give the image a title.' }
            : { [LifecycleIds.saveAfterBlock]: 'Choose what happens to the VM.' },
      });
      return;
    }
    await ack({ response_action: 'update', view: saveQueuedModal(title) });
    try {
      // The view id is the same for a double submit and Slack's retry: one machine image per view.
      await requestSave(ctx, await ctx.actor(body.user.id), { demoId, title, description, after, submissionKey: `save:${view.id}` });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await ctx.slack.views.update({ view_id: view.id, view: modal({ title: 'Save as an image', blocks: [section(`:information_source: ${err.message}`)] }) });
    }
  });

  bolt.action<BlockAction>(LifecycleIds.extend, async ({ ack, body, action, respond }) => {
    await ack();
    const { demoId, seenExpiry } = parseExtendValue(buttonValue(action));
    const { demo, extended } = await extend(ctx, await ctx.actor(body.user.id), demoId, seenExpiry);
    const channel = body.container?.channel_id ?? body.channel?.id;
    const ts = body.container?.message_ts ?? body.message?.ts;
    const onStatusDm = channel === demo.dmChannel && ts === demo.dmTs;
    // A reminder becomes the answer. The status DM (extend() re-renders it) and Home get one beside them.
    if (channel && ts && !body.container?.is_ephemeral && !onStatusDm) await ctx.slack.chat.update({ channel, ts, ...extendedMessage(demo) });
    else await notify(ctx, body, respond, extended ? extendedText(demo) : `\`${demo.displayName}\` already runs until ${slackDate(demo.expiresAt)}.`);
  });

  bolt.action<BlockAction>(LifecycleIds.resume, async ({ ack, body, action, respond }) => {
    await ack();
    const imageId = buttonValue(action);
    const { demo, created } = await resume(ctx, await ctx.actor(body.user.id), imageId, `resume:${imageId}:${surfaceKey(body)}`);
    if (body.response_url)
      await notify(
        ctx,
        body,
        respond,
        created ? `:rocket: Resuming as \`${demo.displayName}\`. I'll DM you when it is ready.` : `Already resuming as \`${demo.displayName}\`.`,
      );
  });

  bolt.action<BlockAction>(LifecycleIds.deleteImage, async ({ ack, body, action, respond }) => {
    await ack();
    const { image, started } = await requestImageDelete(ctx, await ctx.actor(body.user.id), buttonValue(action));
    if (body.response_url)
      await notify(
        ctx,
        body,
        respond,
        started
          ? `:wastebasket: Deleting *${escapeMrkdwn(image.title)}* (\`${image.displayName}\`) and its machine image.`
          : `*${escapeMrkdwn(image.title)}* is already being deleted.`,
      );
  });

  for (const [actionId, kind] of [
    [LifecycleIds.keepDemo, 'demo'],
    [LifecycleIds.keepImage, 'image'],
  ] as const) {
    bolt.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const kept = await keep(ctx, await ctx.actor(body.user.id), kind, buttonValue(action));
      const channel = body.container?.channel_id ?? body.channel?.id;
      const ts = body.container?.message_ts ?? body.message?.ts;
      const text = `:white_check_mark: Kept *${escapeMrkdwn(kept.title)}*. I won't ask again before ${slackDate(kept.until, '{date_short_pretty}')}.`;
      if (channel && ts) await ctx.slack.chat.update({ channel, ts, text, blocks: [section(text), context('Storage keeps costing while it is kept.')] });
    });
  }
}
