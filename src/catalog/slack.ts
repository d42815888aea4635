import type { BlockAction, GlobalShortcut, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { UserError } from '../errors.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import { CatalogIds } from './ids.ts';
import * as service from './service.ts';
import { detailModal } from './detail.ts';
import { browseView, decodeBrowseState, suggestionOptions } from './views.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';

export function registerCatalogListeners({ ctx, bolt, router }: Registration): void {
  const openBrowse = (triggerId: string, userId: string, query = '') =>
    modalFlow(ctx.slack, ctx.log, { triggerId, title: 'Demo catalog', loading: 'Loading the catalog…' }, async () =>
      browseView(await service.browse(ctx, userId, { query, filter: 'all', page: 0 })),
    );

  router.add({
    name: 'browse',
    aliases: ['search', 'catalog'],
    usage: '/demo browse [words]',
    summary: 'browse and search the catalog of demo images',
    run: (input) => openBrowse(input.triggerId, input.userId, input.rest),
  });

  // "Launch a demo" from Slack's shortcut menu, and "Browse the catalog" on the Home tab: the catalog, whose Launch leads on.
  bolt.shortcut<GlobalShortcut>(CatalogIds.launchShortcut, async ({ ack, body }) => {
    await ack();
    await openBrowse(body.trigger_id, body.user.id);
  });

  bolt.action<BlockAction>(CatalogIds.openBrowse, async ({ ack, body }) => {
    await ack();
    await openBrowse(body.trigger_id, body.user.id);
  });

  router.admin.set('publish', {
    name: 'publish',
    usage: '/demo admin publish <machine-image>',
    summary: 'add a machine image of the project to the catalog as official',
    adminOnly: true,
    run: async (input, respond) => {
      const name = input.args[0];
      if (!name) throw new UserError('Say which machine image: `/demo admin publish <machine-image-name>`.');
      const gceName = name.toLowerCase();
      await service.requestPublish(ctx, await ctx.actor(input.userId), gceName, input.responseUrl);
      await respond({
        response_type: 'ephemeral',
        text: `:hourglass_flowing_sand: Looking up \`${escapeMrkdwn(gceName)}\` in project \`${ctx.config.gce.project}\`; I'll say here when it is in the catalog.`,
      });
    },
  });

  /** Re-render the browse modal in place after a search, filter or page change. */
  async function refresh(body: BlockAction, change: (s: ReturnType<typeof decodeBrowseState>) => ReturnType<typeof decodeBrowseState>) {
    const view = body.view as ViewOutput;
    const state = change(decodeBrowseState(view.private_metadata));
    const page = await service.browse(ctx, body.user.id, state);
    await ctx.slack.views.update({ view_id: view.id, hash: view.hash, view: browseView(page) });
  }

  bolt.action<BlockAction>(CatalogIds.search, async ({ ack, body, action }) => {
    await ack();
    const query = 'value' in action && typeof action.value === 'string' ? action.value : '';
    await refresh(body, (s) => ({ ...s, query, page: 0 }));
  });

  // "Search" (the modal's submit): the results replace the modal in the ack, so it stays open.
  bolt.view<ViewSubmitAction>(CatalogIds.browseView, async ({ ack, body, view }) => {
    const query = view.state.values[CatalogIds.searchBlock]?.[CatalogIds.search]?.value ?? '';
    const state = decodeBrowseState(view.private_metadata);
    const page = await service.browse(ctx, body.user.id, { ...state, query, page: 0 });
    await ack({ response_action: 'update', view: browseView(page) });
  });

  bolt.action<BlockAction>(CatalogIds.filter, async ({ ack, body, action }) => {
    await ack();
    const filter = action.type === 'static_select' ? action.selected_option?.value : undefined;
    await refresh(body, (s) => ({ ...s, filter: (filter as typeof s.filter) ?? 'all', page: 0 }));
  });

  bolt.action<BlockAction>(CatalogIds.sort, async ({ ack, body, action }) => {
    await ack();
    const sort = action.type === 'static_select' ? action.selected_option?.value : undefined;
    await refresh(body, (s) => ({ ...s, sort: sort === 'launched' || sort === 'commented' ? sort : 'recent', page: 0 }));
  });

  bolt.action<BlockAction>(new RegExp(`^${CatalogIds.page}\\.(prev|next)$`), async ({ ack, body, action }) => {
    await ack();
    const target = Number(action.type === 'button' ? action.value : 0);
    await refresh(body, (s) => ({ ...s, page: Number.isInteger(target) ? target : 0 }));
  });

  async function pushDetail(body: BlockAction, imageId: string) {
    await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: 'Image details', push: true }, () => detailModal(ctx, body.user.id, imageId));
  }

  bolt.action<BlockAction>(CatalogIds.openDetail, async ({ ack, body, action }) => {
    await ack();
    await pushDetail(body, action.type === 'button' ? (action.value ?? '') : '');
  });

  bolt.action<BlockAction>(CatalogIds.jump, async ({ ack, body, action }) => {
    await ack();
    const id = action.type === 'external_select' ? action.selected_option?.value : undefined;
    if (id) await pushDetail(body, id);
  });

  bolt.options(CatalogIds.jump, async ({ ack, body }) => {
    const images = await service.suggestions(ctx, body.user.id, body.value ?? '');
    await ack({ options: suggestionOptions(images) });
  });
}
