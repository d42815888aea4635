import type { BlockAction, MessageShortcut, ViewSubmitAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { CatalogIds } from '../catalog/ids.ts';
import * as catalog from '../catalog/service.ts';
import { UserError } from '../errors.ts';
import { errorModal, escapeMrkdwn } from '../platform/blocks.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import { pickOne } from '../resolve.ts';
import { DemoIds } from './ids.ts';
import * as service from './service.ts';
import { readMetadata, STALE_FORM } from '../platform/view-metadata.ts';
import { consoleUnfurls } from './unfurl.ts';
import { demoListBlocks, LaunchMetadata, launchChoiceModal, launchModal, launchQueuedModal } from './views.ts';
import { bookedModal } from './booking-views.ts';
import { upcomingBookings } from './booking.ts';

/** Images a "Launch this demo" choice lists at most. */
const MAX_CHOICES = 10;

type StateValues = ViewSubmitAction['view']['state']['values'];

/** The "Ready by" the modal was opened (or last updated) with, in ms. */
function openedAt(view: ViewSubmitAction['view']): number | undefined {
  const blocks: unknown[] = Array.isArray(view.blocks) ? view.blocks : [];
  const block = blocks.find((b) => (b as { block_id?: string }).block_id === DemoIds.readyByBlock) as { element?: { initial_date_time?: number } } | undefined;
  const initial = block?.element?.initial_date_time;
  return initial === undefined ? undefined : initial * 1000;
}

/** The launch modal's picks, as the view's state holds them ("Ready by": Unix seconds). */
function launchPick(values: StateValues): { zone?: string; machineType?: string; ttl?: number; readyBy?: Date } {
  const picked = (block: string, action: string) => values[block]?.[action]?.selected_option?.value ?? undefined;
  const ttl = picked(DemoIds.ttlBlock, DemoIds.ttl);
  const readyBy = values[DemoIds.readyByBlock]?.[DemoIds.readyBy]?.selected_date_time;
  return {
    zone: picked(DemoIds.zoneBlock, DemoIds.zone),
    machineType: picked(DemoIds.machineTypeBlock, DemoIds.machineType),
    ttl: ttl === undefined ? undefined : Number(ttl),
    readyBy: typeof readyBy === 'number' ? new Date(readyBy * 1000) : undefined,
  };
}

export function registerDemos({ ctx, bolt, router }: Registration): void {
  async function launchView(userId: string, image: catalog.CatalogImageRef | null) {
    if (!image) throw new UserError('I could not find that image. `/demo browse` lists the ones you can launch.');
    await catalog.launchableImage(ctx, await ctx.actor(userId), image.id);
    return launchModal(image, await service.launchOptions(ctx, image, userId), ctx.clock.now());
  }

  async function openLaunchModal(triggerId: string, userId: string, find: () => Promise<catalog.CatalogImageRef | null>, push: boolean) {
    await modalFlow(ctx.slack, ctx.log, { triggerId, title: 'Launch a demo', push }, async () => launchView(userId, await find()));
  }

  router.add({
    name: 'launch',
    usage: '/demo launch <image>',
    summary: 'launch your own VM from a catalog image',
    run: async (input, respond) => {
      // Resolved before the modal opens, so a wrong or vague name is answered right here, not in a modal.
      const candidates = await catalog.imagesNamed(ctx, input.userId, input.rest);
      const image = await pickOne(respond, input.rest, candidates, { what: 'image', rerun: (id) => `launch ${id}`, browse: 'browse' });
      if (image) await openLaunchModal(input.triggerId, input.userId, async () => image, false);
    },
  });

  router.add({
    name: 'list',
    aliases: ['ls', 'mine'],
    usage: '/demo list',
    summary: 'your demos and their state',
    run: async (input, respond) => {
      const [demos, bookings] = await Promise.all([service.myDemos(ctx, input.userId), upcomingBookings(ctx, { ownerId: input.userId, limit: 10 })]);
      const withTitles = await Promise.all(
        demos.map(async (demo) => ({ demo, title: (await catalog.getImage(ctx.db, demo.imageId))?.title ?? demo.displayName })),
      );
      const blocks = demoListBlocks(withTitles, bookings);
      const booked = bookings.length ? ` and ${bookings.length} booking(s)` : '';
      await respond({ response_type: 'ephemeral', text: `You have ${demos.length} demo(s)${booked}.`, blocks });
    },
  });

  bolt.action<BlockAction>(CatalogIds.launch, async ({ ack, body, action }) => {
    await ack();
    const imageId = action.type === 'button' ? (action.value ?? '') : '';
    // On a modal (catalog, details, a choice) the launch modal goes on top; from the Home tab it opens on its own.
    await openLaunchModal(body.trigger_id, body.user.id, () => catalog.getImage(ctx.db, imageId), body.view?.type === 'modal');
  });

  // Slack opens the app's URL itself; the click also reaches us, and says someone is using the demo.
  bolt.action<BlockAction>(DemoIds.openLink, async ({ ack, action }) => {
    await ack();
    if (action.type === 'button' && action.value) await service.markOpened(ctx, action.value);
  });

  // "Launch this demo" on a message that names catalog images: that image's launch modal, or a choice.
  bolt.shortcut<MessageShortcut>(DemoIds.launchShortcut, async ({ ack, body }) => {
    await ack();
    await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: 'Launch a demo' }, async () => {
      const images = await catalog.imagesNamedIn(ctx, body.user.id, body.message.text ?? '', MAX_CHOICES + 1);
      if (images.length === 0) {
        throw new UserError('No catalog image is named in that message. `/demo browse` lists the images you can launch.');
      }
      return images.length === 1 ? launchView(body.user.id, images[0]!) : launchChoiceModal(images.slice(0, MAX_CHOICES), images.length > MAX_CHOICES);
    });
  });

  bolt.event('link_shared', async ({ event }) => {
    const unfurls = await consoleUnfurls(
      ctx,
      event.user,
      event.links.map((l) => l.url),
    );
    if (Object.keys(unfurls).length === 0) return;
    // unfurl_id + source also reach a link still in the composer; channel + ts a posted one.
    const { unfurl_id, source } = event;
    if (unfurl_id && (source === 'composer' || source === 'conversations_history')) await ctx.slack.chat.unfurl({ unfurl_id, source, unfurls });
    else await ctx.slack.chat.unfurl({ channel: event.channel, ts: event.message_ts, unfurls });
  });

  // A new zone, type or lifetime: the same modal with its prices and estimate for the new pick.
  bolt.action<BlockAction>(new RegExp(`^(${[DemoIds.zone, DemoIds.machineType, DemoIds.ttl].join('|').replaceAll('.', '\\.')})$`), async ({ ack, body }) => {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== DemoIds.launchView) return;
    const imageId = readMetadata(LaunchMetadata, view.private_metadata)?.imageId;
    const image = imageId ? await catalog.getImage(ctx.db, imageId) : null;
    if (!image) return; // gone since the modal opened: Launch then says so
    // The action carries the new choice; the view's state may not have it yet.
    const changed = body.actions[0];
    const values = { ...view.state.values };
    if (changed?.type === 'static_select')
      values[changed.block_id] = { [changed.action_id]: { type: 'static_select', selected_option: changed.selected_option } };
    const { zone, machineType, ttl, readyBy } = launchPick(values);
    const next = launchModal(image, await service.launchOptions(ctx, image, body.user.id, { zone, machineType, ttl }), readyBy ?? ctx.clock.now());
    // The hash refuses an update built from an older state: a later change has its own update coming.
    await ctx.slack.views.update({ view_id: view.id, hash: view.hash, view: next }).catch((err: { data?: { error?: string } }) => {
      if (err.data?.error !== 'hash_conflict') throw err;
    });
  });

  bolt.view<ViewSubmitAction>(DemoIds.launchView, async ({ ack, body, view }) => {
    const imageId = readMetadata(LaunchMetadata, view.private_metadata)?.imageId;
    const { zone, machineType, ttl: picked, readyBy: pickedTime } = launchPick(view.state.values);
    const ttl = Number(picked);
    const errors: Record<string, string> = {};
    if (!zone) errors[DemoIds.zoneBlock] = 'Pick a zone.';
    if (!machineType) errors[DemoIds.machineTypeBlock] = 'Pick a machine type.';
    if (!Number.isInteger(ttl)) errors[DemoIds.ttlBlock] = 'Pick how long to keep it.';
    let readyBy: Date | null = null;
    try {
      // Untouched, "Ready by" still holds the time the modal opened: that is "now", however long ago.
      readyBy = pickedTime && pickedTime.getTime() !== openedAt(view) ? service.bookedTime(pickedTime, ctx.clock.now()) : null;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      errors[DemoIds.readyByBlock] = err.message;
    }
    if (!imageId || Object.keys(errors).length) {
      await ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { [DemoIds.zoneBlock]: STALE_FORM },
      });
      return;
    }
    const image = { id: imageId, title: 'Your demo', displayName: '' };
    await ack({ response_action: 'update', view: readyBy ? bookedModal(image.title, readyBy) : launchQueuedModal(image) });
    try {
      // The view id is the same for a double click and for Slack's retry: one demo per view.
      await service.launch(ctx, await ctx.actor(body.user.id), {
        imageId,
        zone: zone!,
        machineType: machineType!,
        ttlHours: ttl,
        submissionKey: `launch:${view.id}`,
        ...(readyBy ? { readyBy } : {}),
      });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await ctx.slack.views.update({ view_id: view.id, view: errorModal('Launch a demo', err.message) });
    }
  });

  for (const action of ['stop', 'start', 'delete'] as const) {
    bolt.action<BlockAction>(DemoIds[action], async ({ ack, body, action: a }) => {
      await ack();
      const demoId = a.type === 'button' ? (a.value ?? '') : '';
      await service.requestPower(ctx, await ctx.actor(body.user.id), demoId, action);
    });
  }

  bolt.action<BlockAction>(new RegExp(`^${DemoIds.retryZone.replace('.', '\\.')}\\.`), async ({ ack, body, action, respond }) => {
    await ack();
    const { demoId, zone } = JSON.parse(action.type === 'button' ? (action.value ?? '{}') : '{}') as { demoId?: string; zone?: string };
    if (!demoId || !zone) throw new UserError('That button is out of date.');
    const { demo } = await service.retryInZone(ctx, await ctx.actor(body.user.id), demoId, zone);
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: `:rocket: Trying again in ${escapeMrkdwn(zone)} as \`${demo.displayName}\`. I'll DM you when it is ready.`,
    });
  });
}
