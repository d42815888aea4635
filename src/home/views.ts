import type { ActionsBlockElement, HomeView, KnownBlock, View } from '@slack/types';
import { fleetBlocks, extendButton, savedImageBlocks } from '../demos/lifecycle-views.ts';
import { DemoIds } from '../demos/ids.ts';
import { IdleIds } from '../demos/idle-ids.ts';
import { bookingBlocks } from '../demos/booking-views.ts';
import type { SavedImage } from '../demos/image-store.ts';
import { LifecycleIds } from '../demos/lifecycle-ids.ts';
import { button, confirm, context, divider, escapeMrkdwn, header, LIMITS, modal, section, slackDate, truncate } from '../platform/blocks.ts';
import { z } from 'zod';
import { HomeIds } from './ids.ts';
import type { DemoCard, HomeData } from './service.ts';
import { budgetLine } from '../budgets/views.ts';
import { CatalogIds } from '../catalog/ids.ts';

/** What the demos / saved images list modal keeps in private_metadata. */
export const ListMetadata = z.object({ kind: z.enum(['demos', 'images']), page: z.number().int().nonnegative() });
export type ListMetadata = z.infer<typeof ListMetadata>;

/** The App Home and its "see all" pages, as pure functions of data. */

const STATE_ICON: Record<string, string> = {
  provisioning: ':hourglass_flowing_sand:',
  running: ':large_green_circle:',
  stopped: ':black_circle:',
  suspended: ':zzz:',
  saving: ':floppy_disk:',
};

function demoActions(card: DemoCard, now: Date, extendHours: number): ActionsBlockElement[] {
  const { demo } = card;
  const idleRunning = demo.state === 'running' && demo.progress === 'ready';
  const idleStopped = demo.state === 'stopped' && demo.progress === 'idle';
  const suspended = demo.state === 'suspended' && demo.progress === 'idle';
  if (suspended) {
    return [
      button('Resume', IdleIds.resume, demo.id, { style: 'primary' }),
      button('Save', LifecycleIds.save, demo.id),
      button('Hand over', LifecycleIds.transfer, `demo|${demo.id}`),
      deleteButton(demo.id),
    ];
  }
  if (!idleRunning && !idleStopped) return [];
  const out: ActionsBlockElement[] = [];
  if (idleRunning)
    out.push(
      button('Stop', DemoIds.stop, demo.id, { confirm: confirm('Stop this demo?', 'The VM is stopped; its disk is kept and you can start it again.', 'Stop') }),
    );
  if (idleStopped && demo.expiresAt > now) out.push(button('Start', DemoIds.start, demo.id, { style: 'primary' }));
  out.push(button('Save', LifecycleIds.save, demo.id));
  if (card.extendTo) out.push(extendButton(demo, extendHours));
  out.push(button('Hand over', LifecycleIds.transfer, `demo|${demo.id}`));
  out.push(deleteButton(demo.id));
  return out;
}

function deleteButton(demoId: string): ActionsBlockElement {
  return button('Delete', DemoIds.delete, demoId, {
    style: 'danger',
    confirm: confirm('Delete this demo?', 'The VM and its disk are deleted. This cannot be undone.', 'Delete', 'danger'),
  });
}

export function demoCardBlocks(card: DemoCard, now: Date, extendHours: number): KnownBlock[] {
  const { demo } = card;
  const busy = demo.progress !== 'ready' && demo.progress !== 'idle' ? ` (${demo.progress})` : '';
  const lease = demo.expiresAt > now ? `expires ${slackDate(demo.expiresAt)}` : `:alarm_clock: time ran out ${slackDate(demo.expiresAt)}`;
  const line = `${STATE_ICON[demo.state] ?? ''} *${escapeMrkdwn(truncate(card.title, 100))}* · ${demo.state}${busy}\n\`${demo.displayName}\` · ${demo.zone} · ${demo.machineType} · ${lease}${demo.externalIp ? ` · \`${demo.externalIp}\`` : ''}`;
  const actions = demoActions(card, now, extendHours);
  return actions.length ? [section(line), { type: 'actions', elements: actions }] : [section(line)];
}

/** The user's notification choices, each with the button that flips it. */
function notificationBlocks(muted: boolean): KnownBlock[] {
  const line = muted
    ? ':no_bell: DMs about new comments on your images are *muted*.'
    : ':bell: I DM you when someone comments on one of your images (a few minutes of comments in one DM).';
  return [section(line, muted ? button('Unmute', HomeIds.commentDms, 'unmute', { style: 'primary' }) : button('Mute comment DMs', HomeIds.commentDms, 'mute'))];
}

/** No demo yet: the way into the catalog, and the images colleagues launch most, each one click from its launch modal. */
function emptyState(popular: HomeData['popular']): KnownBlock[] {
  const blocks = [
    section(
      'You have no demos right now. Pick an image from the catalog to launch one.',
      button('Browse the catalog', CatalogIds.openBrowse, 'home', { style: 'primary' }),
    ),
  ];
  // A new catalog has no launches yet: then these are simply its newest images.
  if (popular.length) blocks.push(context(popular.some((i) => i.launches > 0) ? '*Most launched*' : '*From the catalog*'));
  for (const image of popular) {
    const launches = image.launches ? `\n_${image.launches} launch${image.launches === 1 ? '' : 'es'}_` : '';
    const about = image.description ? ` — ${escapeMrkdwn(truncate(image.description.replace(/\s+/g, ' '), 120))}` : '';
    blocks.push(section(`*${escapeMrkdwn(truncate(image.title, 100))}*${about}${launches}`, button('Launch', CatalogIds.launch, image.id)));
  }
  return blocks;
}

export function homeView(d: HomeData): HomeView {
  const blocks: KnownBlock[] = [header('Your demos')];
  const summary = [`:stopwatch: ${d.hoursThisWeek.toFixed(1)} VM hours this week (since Monday, ${d.timeZone})`, `:moneybag: ${budgetLine(d.budget)}`];
  if (d.pendingApprovals !== null)
    summary.push(`:inbox_tray: ${d.pendingApprovals} share request${d.pendingApprovals === 1 ? '' : 's'} waiting for an approver`);
  blocks.push(context(...summary));
  if (d.paused.paused)
    blocks.push(
      section(
        `:double_vertical_bar: New launches are paused by an admin${d.paused.reason ? `: ${escapeMrkdwn(d.paused.reason)}` : ''}. Your demos keep running.`,
      ),
    );
  if (d.demoTotal === 0 && d.bookings.length === 0) blocks.push(...emptyState(d.popular));
  for (const b of d.bookings) blocks.push(...bookingBlocks(b, { cancel: true }));
  for (const card of d.demos) blocks.push(...demoCardBlocks(card, d.now, d.extendHours));
  if (d.demoTotal > d.demos.length) blocks.push({ type: 'actions', elements: [button(`See all ${d.demoTotal} demos`, HomeIds.seeAllDemos, '0')] });

  blocks.push(divider(), header('Saved images'));
  if (d.imageTotal === 0) blocks.push(context('Nothing saved yet. *Save* a demo to keep it as an image of your own and resume it later.'));
  for (const image of d.images) blocks.push(...savedImageBlocks(image));
  if (d.imageTotal > d.images.length) blocks.push({ type: 'actions', elements: [button(`See all ${d.imageTotal} images`, HomeIds.seeAllImages, '0')] });
  blocks.push(divider(), ...notificationBlocks(d.commentDmsMuted));

  if (d.fleet) {
    blocks.push(divider(), ...fleetBlocks(d.fleet, { maxRows: 8 }));
    blocks.push({ type: 'actions', elements: [button('Open the fleet view', HomeIds.openFleet, 'fleet')] });
  }
  return { type: 'home', blocks: blocks.slice(0, LIMITS.blocksPerView) };
}

export type ListKind = 'demos' | 'images';

export interface ListPage {
  kind: ListKind;
  page: number;
  pageSize: number;
  total: number;
  now: Date;
  extendHours: number;
  demos?: DemoCard[];
  images?: SavedImage[];
}

/** "See all": a page of demos or images in a modal, with Previous / Next. */
export function listModal(p: ListPage): View {
  const blocks: KnownBlock[] = [];
  if (p.kind === 'demos') for (const card of p.demos ?? []) blocks.push(...demoCardBlocks(card, p.now, p.extendHours));
  else for (const image of p.images ?? []) blocks.push(...savedImageBlocks(image));
  if ((p.demos ?? p.images ?? []).length === 0) blocks.push(section('Nothing here any more.'));
  const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
  const nav = [
    ...(p.page > 0 ? [button('◀ Previous', `${HomeIds.page}.prev`, String(p.page - 1))] : []),
    ...((p.page + 1) * p.pageSize < p.total ? [button('Next ▶', `${HomeIds.page}.next`, String(p.page + 1))] : []),
  ];
  if (nav.length) blocks.push({ type: 'actions', elements: nav });
  blocks.push(context(`Page ${p.page + 1} of ${pages} · ${p.total} in all`));
  return modal({
    title: p.kind === 'demos' ? 'Your demos' : 'Your saved images',
    callbackId: HomeIds.listView,
    privateMetadata: JSON.stringify({ kind: p.kind, page: p.page } satisfies ListMetadata),
    blocks,
  });
}
