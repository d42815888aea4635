import type { BlockAction, ViewOutput } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Registration } from '../capability.ts';
import { setCommentDmsMuted } from '../comments/service.ts';
import { fleet } from '../demos/fleet.ts';
import { myImages } from '../demos/image-store.ts';
import { fleetBlocks } from '../demos/lifecycle-views.ts';
import { modal } from '../platform/blocks.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import { HomeIds } from './ids.ts';
import { demoCards, PAGE_SIZE, publishHome } from './service.ts';
import { readMetadata } from '../platform/view-metadata.ts';
import { ListMetadata, listModal, type ListKind } from './views.ts';

export function registerHome({ ctx, bolt }: Registration): void {
  bolt.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await publishHome(ctx, event.user);
  });

  async function page(userId: string, kind: ListKind, n: number): Promise<View> {
    const page = Math.max(0, Math.min(n, 10_000));
    const offset = page * PAGE_SIZE;
    const base = { kind, page, pageSize: PAGE_SIZE, now: ctx.clock.now(), extendHours: ctx.config.demo.extendHours };
    if (kind === 'demos') {
      const { items, total } = await demoCards(ctx, userId, { offset, limit: PAGE_SIZE });
      return listModal({ ...base, total, demos: items });
    }
    const { items, total } = await myImages(ctx, userId, { offset, limit: PAGE_SIZE });
    return listModal({ ...base, total, images: items });
  }

  for (const [actionId, kind] of [
    [HomeIds.seeAllDemos, 'demos'],
    [HomeIds.seeAllImages, 'images'],
  ] as const) {
    bolt.action<BlockAction>(actionId, async ({ ack, body }) => {
      await ack();
      await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: kind === 'demos' ? 'Your demos' : 'Your saved images' }, () =>
        page(body.user.id, kind, 0),
      );
    });
  }

  bolt.action<BlockAction>(new RegExp(`^${HomeIds.page.replace('.', '\\.')}\\.(prev|next)$`), async ({ ack, body, action }) => {
    await ack();
    const view = body.view as ViewOutput;
    // A click on a list whose metadata is not ours shows the first list, the demos.
    const kind = readMetadata(ListMetadata, view.private_metadata)?.kind ?? 'demos';
    const n = Number(action.type === 'button' ? action.value : 0);
    await ctx.slack.views.update({ view_id: view.id, hash: view.hash, view: await page(body.user.id, kind, Number.isInteger(n) ? n : 0) });
  });

  // The Home re-rendered is the answer: it says which way the setting is now.
  bolt.action<BlockAction>(HomeIds.commentDms, async ({ ack, body, action }) => {
    await ack();
    await setCommentDmsMuted(ctx, body.user.id, action.type === 'button' && action.value === 'mute');
    await publishHome(ctx, body.user.id);
  });

  bolt.action<BlockAction>(HomeIds.openFleet, async ({ ack, body }) => {
    await ack();
    await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: 'Fleet', loading: 'Listing every VM…' }, async () => {
      const f = await fleet(ctx, await ctx.actor(body.user.id), { limit: 40, orphans: true });
      return modal({ title: 'Fleet', blocks: fleetBlocks(f, { maxRows: 40 }) });
    });
  });
}
