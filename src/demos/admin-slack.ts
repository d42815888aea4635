import type { BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { parseUserRef } from '../commands.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { escapeMrkdwn, modal, section } from '../platform/blocks.ts';
import type { Actor } from '../policy.ts';
import type { AppContext } from '../context.ts';
import { fleet, forceStop, switchPause } from './fleet.ts';
import { transferDemo, transferImage } from './handover.ts';
import { getSavedImage } from './image-store.ts';
import { LifecycleIds } from './lifecycle-ids.ts';
import { buttonValue, modalFromClick, notify } from './lifecycle-slack.ts';
import { readMetadata, STALE_FORM } from '../platform/view-metadata.ts';
import { fleetBlocks, TransferMetadata, transferModal } from './lifecycle-views.ts';
import { liveDemos } from './save.ts';
import * as catalog from '../catalog/service.ts';
import { pickOne, type Named } from '../resolve.ts';
import * as store from './store.ts';

type Target = { kind: 'demo' | 'image'; id: string };

/**
 * What `/demo transfer <words> @colleague` may name: the user's live demos and saved images (an admin
 * naming one: anyone's demo or shared image), for the resolver.
 */
async function transferable(ctx: AppContext, actor: Actor, words: string): Promise<Array<Target & Named>> {
  const demos = (await liveDemos(ctx, actor, words)).map((d) => ({ kind: 'demo' as const, id: d.id, name: d.name, title: d.title, also: d.also }));
  const others = actor.isAdmin && words ? await catalog.imagesNamed(ctx, actor.userId, words) : [];
  const images = [...(await catalog.savedImagesNamed(ctx, actor.userId)), ...others.filter((i) => i.origin === 'saved' && i.ownerId !== actor.userId)];
  return [...demos, ...images.map((i) => ({ kind: 'image' as const, id: i.id, name: i.name, title: i.title, also: i.also }))];
}

async function transfer(ctx: AppContext, actor: Actor, target: Pick<Target, 'kind' | 'id'>, to: string) {
  return target.kind === 'demo' ? transferDemo(ctx, actor, target.id, to) : transferImage(ctx, actor, target.id, to);
}

const handedText = (r: { changed: boolean; title: string }, to: string) =>
  r.changed
    ? `:handshake: *${escapeMrkdwn(r.title)}* now belongs to <@${to}>; they were told in a DM.`
    : `*${escapeMrkdwn(r.title)}* already belongs to <@${to}>.`;

export function registerLifecycleAdmin({ ctx, bolt, router }: Registration): void {
  router.add({
    name: 'transfer',
    aliases: ['handover'],
    usage: '/demo transfer <demo|image> @colleague',
    summary: 'hand a demo or a saved image over to a colleague',
    run: async (input, respond) => {
      const to = input.args.length > 1 ? parseUserRef(input.args.at(-1)!) : null;
      if (!to) throw new UserError('Say what and to whom: `/demo transfer <demo or image> @colleague` (mention them with @).');
      const actor = await ctx.actor(input.userId);
      const words = input.args.slice(0, -1).join(' ');
      const rerun = (id: string) => `transfer ${id} <@${to}>`;
      const target = await pickOne(respond, words, await transferable(ctx, actor, words), { what: 'demo or saved image', rerun, browse: 'list' });
      if (!target) return;
      await respond({ response_type: 'ephemeral', text: handedText(await transfer(ctx, actor, target, to), to) });
    },
  });

  bolt.action<BlockAction>(LifecycleIds.transfer, async ({ ack, body, action }) => {
    await ack();
    const [kind, id = ''] = buttonValue(action).split('|');
    await modalFromClick(ctx, body, 'Hand over', async () => {
      if (kind === 'demo') {
        const demo = await store.getDemo(ctx.db, id);
        if (!demo || demo.state === 'deleted') throw new NotFoundError('That demo no longer exists.');
        return transferModal({ kind: 'demo', id, name: demo.displayName });
      }
      const image = await getSavedImage(ctx, id);
      if (!image) throw new NotFoundError('That image no longer exists.');
      return transferModal({ kind: 'image', id, name: image.title });
    });
  });

  bolt.view<ViewSubmitAction>(LifecycleIds.transferView, async ({ ack, body, view }) => {
    const meta = readMetadata(TransferMetadata, view.private_metadata);
    const to = view.state.values[LifecycleIds.transferUserBlock]?.[LifecycleIds.transferUser]?.selected_user;
    if (!to || !meta) {
      await ack({ response_action: 'errors', errors: { [LifecycleIds.transferUserBlock]: meta ? 'Pick a colleague.' : STALE_FORM } });
      return;
    }
    if (to === body.user.id) {
      await ack({ response_action: 'errors', errors: { [LifecycleIds.transferUserBlock]: 'Pick someone else: it is yours already.' } });
      return;
    }
    await ack({ response_action: 'update', view: modal({ title: 'Hand over', blocks: [section(':hourglass_flowing_sand: Handing it over…')] }) });
    let text: string;
    try {
      text = handedText(await transfer(ctx, await ctx.actor(body.user.id), { kind: meta.kind, id: meta.id }, to), to);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      text = `:warning: ${err.message}`;
    }
    await ctx.slack.views.update({ view_id: view.id, view: modal({ title: 'Hand over', blocks: [section(text)] }) });
  });

  router.admin.set('fleet', {
    name: 'fleet',
    usage: '/demo admin fleet',
    summary: 'every live demo with owner, age, expiry and cost; orphaned VMs; the pause switch',
    adminOnly: true,
    run: async (input, respond) => {
      const f = await fleet(ctx, await ctx.actor(input.userId), { limit: 40, orphans: true });
      await respond({ response_type: 'ephemeral', text: `${f.total} live demos`, blocks: fleetBlocks(f, { maxRows: 40 }).slice(0, 50) });
    },
  });

  router.admin.set('pause', {
    name: 'pause',
    usage: '/demo admin pause on|off [reason]',
    summary: 'refuse (or allow again) new launches; running demos are not affected',
    adminOnly: true,
    run: async (input, respond) => {
      const word = (input.args[0] ?? '').toLowerCase();
      if (word !== 'on' && word !== 'off') throw new UserError('Say `/demo admin pause on [reason]` or `/demo admin pause off`.');
      const state = await switchPause(ctx, await ctx.actor(input.userId), word === 'on', input.args.slice(1).join(' '));
      await respond({
        response_type: 'ephemeral',
        text: state.paused
          ? ':double_vertical_bar: New launches are paused. `/demo admin pause off` allows them again.'
          : ':arrow_forward: New launches are allowed again.',
      });
      await ctx.events.emit('fleet-changed', { userId: input.userId });
    },
  });

  bolt.action<BlockAction>(LifecycleIds.pause, async ({ ack, body, action, respond }) => {
    await ack();
    const state = await switchPause(ctx, await ctx.actor(body.user.id), buttonValue(action) === 'on', '');
    if (body.response_url)
      await notify(ctx, body, respond, state.paused ? ':double_vertical_bar: New launches are paused.' : ':arrow_forward: New launches are allowed again.');
    await ctx.events.emit('fleet-changed', { userId: body.user.id });
  });

  bolt.action<BlockAction>(LifecycleIds.forceStop, async ({ ack, body, action, respond }) => {
    await ack();
    const demo = await forceStop(ctx, await ctx.actor(body.user.id), buttonValue(action));
    if (body.response_url) await notify(ctx, body, respond, `:double_vertical_bar: Stopping \`${demo.displayName}\` of <@${demo.ownerId}>.`);
    await ctx.events.emit('fleet-changed', { userId: body.user.id });
  });
}
