import type { Button, ExternalSelect, KnownBlock, StaticSelect, View } from '@slack/types';
import { button, context, divider, escapeMrkdwn, fields, header, modal, option, plain, section, slackDate, truncate, userRef } from '../platform/blocks.ts';
import { z } from 'zod';
import { metadataId } from '../platform/view-metadata.ts';
import { CatalogIds } from './ids.ts';
import type { BrowsePage, BrowseState, ImageDetail } from './service.ts';
import type { CatalogFilter, CatalogImage, CatalogSort } from './store.ts';

/** What a modal pushed over an image's detail keeps in private_metadata (comment, share): the image, and the detail to refresh. */
export const OverDetailMetadata = z.object({ imageId: metadataId(), parentViewId: z.string().max(64).nullable() });
export type OverDetailMetadata = z.infer<typeof OverDetailMetadata>;

const FILTERS: Array<[CatalogFilter, string]> = [
  ['all', 'Everything I can use'],
  ['official', 'Official'],
  ['shared', 'Shared by colleagues'],
  ['mine', 'My saved images'],
];

const SORTS: Array<[CatalogSort, string]> = [
  ['recent', 'Newest (best match when searching)'],
  ['launched', 'Most launched'],
  ['commented', 'Most commented'],
];

const VISIBILITY_LABEL: Record<CatalogImage['visibility'], string> = {
  official: ':large_blue_circle: official',
  shared: ':large_green_circle: shared',
  pending: ':large_yellow_circle: awaiting approval',
  private: ':lock: private',
};

export function encodeBrowseState(s: BrowseState): string {
  return JSON.stringify({ q: s.query, f: s.filter, p: s.page, s: s.sort ?? 'recent' });
}

export function decodeBrowseState(raw: string | undefined): BrowseState {
  try {
    const v = JSON.parse(raw || '{}') as { q?: unknown; f?: unknown; p?: unknown; s?: unknown };
    const filter = FILTERS.some(([f]) => f === v.f) ? (v.f as CatalogFilter) : 'all';
    const sort = SORTS.some(([x]) => x === v.s) ? (v.s as CatalogSort) : 'recent';
    return { query: typeof v.q === 'string' ? v.q.slice(0, 200) : '', filter, page: Number.isInteger(v.p) ? Math.max(0, v.p as number) : 0, sort };
  } catch {
    return { query: '', filter: 'all', page: 0, sort: 'recent' };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A browse entry: the image, then Launch and Details (every image listed is one the viewer may launch). */
function imageCard(image: CatalogImage): KnownBlock[] {
  return [
    ...imageMessageCard(image),
    { type: 'actions', elements: [button('Launch', CatalogIds.launch, image.id, { style: 'primary' }), button('Details', CatalogIds.openDetail, image.id)] },
  ];
}

/** An image as a message shows it (share requests, its comment thread); the browse modal adds Details. */
export function imageMessageCard(image: CatalogImage, accessory?: Button): KnownBlock[] {
  const description = image.description ? `\n${escapeMrkdwn(truncate(image.description.replace(/\s+/g, ' '), 180))}` : '';
  const counts =
    image.launches || image.comments ? ` · ${plural(image.launches, 'launch')}${image.comments ? `, ${plural(image.comments, 'comment')}` : ''}` : '';
  return [
    section(`*${escapeMrkdwn(image.title)}*${description}`, accessory),
    context(
      `${VISIBILITY_LABEL[image.visibility]} · by ${userRef(image.ownerId)} · \`${image.displayName}\`${image.tags.length ? ` · ${image.tags.slice(0, 4).map(escapeMrkdwn).join(', ')}` : ''}${counts}`,
    ),
  ];
}

/** A dropdown with a label; one with a preselected option is not "(optional)" (Slack cannot clear it). */
function selectInput(label: string, element: StaticSelect | ExternalSelect): KnownBlock {
  const optional = !('initial_option' in element && element.initial_option);
  return { type: 'input', block_id: `${element.action_id}_block`, dispatch_action: true, optional, label: plain(label), element };
}

/** The browse modal: search, filter, jump-to (external select, any number of images), a page of cards. */
export function browseView(page: BrowsePage): View {
  const filterOptions = FILTERS.map(([value, text]) => option(text, value));
  const sortOptions = SORTS.map(([value, text]) => option(text, value));
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: CatalogIds.searchBlock,
      dispatch_action: true,
      optional: true,
      label: plain('Search by title, description, owner or tag'),
      element: {
        type: 'plain_text_input',
        action_id: CatalogIds.search,
        ...(page.query ? { initial_value: page.query } : {}),
        placeholder: plain('e.g. crm, retail, analytics — press Enter'),
        max_length: 200,
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
      },
    },
    // Labelled controls: input blocks that dispatch at once (a change re-renders the page).
    selectInput('Show', {
      type: 'static_select',
      action_id: CatalogIds.filter,
      options: filterOptions,
      initial_option: filterOptions.find((o) => o.value === page.filter),
    }),
    selectInput('Sort by', {
      type: 'static_select',
      action_id: CatalogIds.sort,
      options: sortOptions,
      initial_option: sortOptions.find((o) => o.value === (page.sort ?? 'recent')),
    }),
    selectInput('Jump to an image', { type: 'external_select', action_id: CatalogIds.jump, placeholder: plain('Type a title or name…'), min_query_length: 1 }),
    divider(),
  ];
  if (page.items.length === 0) {
    blocks.push(
      section(
        page.query
          ? `No image matches *${escapeMrkdwn(page.query)}*. Try fewer or other words, or another filter.`
          : page.filter === 'mine'
            ? "You haven't saved any images yet. Launch a demo, customise it, then press *Save*."
            : 'The catalog is empty. An admin can add images with `/demo admin publish <machine-image>` or by labelling machine images `demo-vm-catalog=true`.',
      ),
    );
  }
  page.items.forEach((image, i) => blocks.push(...(i > 0 ? [divider()] : []), ...imageCard(image)));
  const nav = [
    ...(page.page > 0 ? [button('◀ Previous', `${CatalogIds.page}.prev`, String(page.page - 1))] : []),
    ...(page.hasMore ? [button('Next ▶', `${CatalogIds.page}.next`, String(page.page + 1))] : []),
  ];
  if (nav.length) blocks.push({ type: 'actions', elements: nav });
  blocks.push(context(`Page ${page.page + 1}${page.query ? ` · results for “${escapeMrkdwn(truncate(page.query, 60))}”` : ''}`));
  // Slack requires a submit button on a modal with input blocks: it runs the search too.
  return modal({ title: 'Demo catalog', callbackId: CatalogIds.browseView, submit: 'Search', blocks, privateMetadata: encodeBrowseState(page) });
}

/** What another capability adds to an image's details (catalog/detail.ts): buttons beside Launch, blocks below them. */
export interface DetailSection {
  buttons?(d: ImageDetail): Button[];
  blocks?(d: ImageDetail): KnownBlock[];
}

/** Image detail, pushed on top of the browse modal (or opened on its own), with what other capabilities add. */
export function detailView(d: ImageDetail, sections: DetailSection[]): View {
  const { image, stats } = d;
  const lineage = d.ancestors.length ? d.ancestors.map((a) => `${escapeMrkdwn(a.title)} (${userRef(a.ownerId)})`).join(' ← ') : '_an original image_';
  const blocks: KnownBlock[] = [
    header(image.title),
    section(image.description ? escapeMrkdwn(image.description) : '_No description._'),
    fields([
      ['Owner', userRef(image.ownerId)],
      ['Visibility', VISIBILITY_LABEL[image.visibility]],
      ['Name', `\`${image.displayName}\``],
      ['Machine image', `\`${image.gceName}\``],
      ['Added', slackDate(image.createdAt, '{date_short_pretty}')],
      ['Launched', `${stats.launches} time${stats.launches === 1 ? '' : 's'}`],
      ['Derived images', String(stats.derived)],
    ]),
    section(`*Lineage:* ${lineage}`),
  ];
  if (image.app) blocks.push(context(`App: ${image.app.scheme}, port ${image.app.port}, path \`${escapeMrkdwn(image.app.path)}\``));
  if (image.tags.length) blocks.push(context(`Tags: ${image.tags.map(escapeMrkdwn).join(', ')}`));
  const buttons = [
    ...(d.canLaunch ? [button('Launch', CatalogIds.launch, image.id, { style: 'primary' })] : []),
    ...sections.flatMap((s) => s.buttons?.(d) ?? []),
  ];
  // A destructive button comes last, whoever adds it.
  const actions = [...buttons.filter((b) => b.style !== 'danger'), ...buttons.filter((b) => b.style === 'danger')];
  if (image.visibility === 'pending') blocks.push(context(':large_yellow_circle: Waiting for an approver to decide on sharing it.'));
  if (actions.length) blocks.push({ type: 'actions', elements: actions });
  for (const s of sections) blocks.push(...(s.blocks?.(d) ?? []));
  return modal({ title: 'Image details', callbackId: CatalogIds.detailView, blocks, privateMetadata: JSON.stringify({ imageId: image.id }) });
}

export function suggestionOptions(images: CatalogImage[]) {
  return images.slice(0, 100).map((i) => option(`${i.title} (${i.displayName})`, i.id));
}
