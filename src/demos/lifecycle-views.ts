import type { ActionsBlockElement, Button, KnownBlock, View } from '@slack/types';
import { upcomingBookingsBlocks } from './booking-views.ts';
import { button, confirm, context, escapeMrkdwn, fields, header, modal, option, plain, section, slackDate, truncate, userRef } from '../platform/blocks.ts';
import { z } from 'zod';
import { ExportIds } from '../exports/ids.ts';
import { metadataId } from '../platform/view-metadata.ts';
import { SharingIds } from '../sharing/ids.ts';
import { formatGib, formatUsd } from './costs.ts';
import type { Fleet } from './fleet.ts';
import { DemoIds } from './ids.ts';
import type { SavedImage } from './image-store.ts';
import { LifecycleIds } from './lifecycle-ids.ts';
import type { AfterSave } from './save-store.ts';
import type { Demo } from './store.ts';
import type { PoolBudget, PoolLine } from './pool.ts';

/** What the save and hand-over modals keep in private_metadata. */
export const SaveMetadata = z.object({ demoId: metadataId() });
export type SaveMetadata = z.infer<typeof SaveMetadata>;
export const TransferMetadata = z.object({ kind: z.enum(['demo', 'image']), id: metadataId() });
export type TransferMetadata = z.infer<typeof TransferMetadata>;

/** Block Kit of the lifecycle, pure functions of data. */

const AFTER_LABELS: Record<AfterSave, string> = {
  keep: 'Keep the VM as it is',
  stop: 'Stop the VM (its disk is kept; Start it again later)',
  delete: 'Delete the VM (resume from the saved image later)',
};

export function saveModal(demo: Pick<Demo, 'id' | 'displayName' | 'state'>, defaults: { title: string; after: AfterSave }): View {
  const choices = (['keep', 'stop', 'delete'] as const).map((a) =>
    option(a === 'keep' && demo.state === 'stopped' ? 'Leave the VM stopped' : AFTER_LABELS[a], a),
  );
  return modal({
    title: 'Save as an image',
    callbackId: LifecycleIds.saveView,
    submit: 'Save',
    close: 'Cancel',
    privateMetadata: JSON.stringify({ demoId: demo.id } satisfies SaveMetadata),
    blocks: [
      section(`Save \`${demo.displayName}\` as a new machine image of your own. You can resume it later as a new demo, exactly as it is now.`),
      {
        type: 'input',
        block_id: LifecycleIds.saveTitleBlock,
        label: plain('Title'),
        element: { type: 'plain_text_input', action_id: LifecycleIds.saveTitle, initial_value: truncate(defaults.title, 150), max_length: 150 },
      },
      {
        type: 'input',
        block_id: LifecycleIds.saveDescriptionBlock,
        optional: true,
        label: plain('Description'),
        element: {
          type: 'plain_text_input',
          action_id: LifecycleIds.saveDescription,
          multiline: true,
          max_length: 3000,
          placeholder: plain('What did you customise, for which customer?'),
        },
      },
      {
        type: 'input',
        block_id: LifecycleIds.saveAfterBlock,
        label: plain('After the save'),
        element: {
          type: 'radio_buttons',
          action_id: LifecycleIds.saveAfter,
          options: choices,
          initial_option: choices.find((c) => c.value === defaults.after),
        },
      },
      context('GCE allows one machine image per VM every 10 minutes. Saved images are private to you until you share them.'),
    ],
  });
}

export function saveQueuedModal(title: string): View {
  return modal({
    title: 'Save as an image',
    blocks: [
      section(
        `:floppy_disk: Saving *${escapeMrkdwn(title)}*. The demo's message in our DM shows the progress; the image appears in my Home tab when it is ready.`,
      ),
    ],
  });
}

export interface NudgeInput {
  title: string;
  now: Date;
  /** Where Extend would move expiry; null at the cap. */
  extendTo: Date | null;
  extendHours: number;
  policy: 'stop' | 'save_then_delete';
}

/** Its value carries the expiry the user saw: a double click or a Slack retry extends once. */
export function extendButton(demo: Pick<Demo, 'id' | 'expiresAt'>, hours: number): Button {
  return button(`Extend (+${hours} h)`, LifecycleIds.extend, `${demo.id}|${demo.expiresAt.getTime()}`, { style: 'primary' });
}

/** Opens the save modal with "stop the VM" chosen. */
export function saveAndStopButton(demoId: string): Button {
  return button('Save & stop', LifecycleIds.saveAndStop, `${demoId}|stop`);
}

/** "Your demo stops in 30 minutes": Extend, Save & stop, Stop now. */
export function nudgeMessage(demo: Demo, n: NudgeInput): { text: string; blocks: KnownBlock[] } {
  const minutes = Math.max(1, Math.round((demo.expiresAt.getTime() - n.now.getTime()) / 60_000));
  const then = n.policy === 'stop' ? 'I will stop it (its disk is kept)' : 'I will save it as an image of yours, then delete the VM';
  const title = escapeMrkdwn(n.title);
  const elements: ActionsBlockElement[] = [];
  if (n.extendTo) elements.push(extendButton(demo, n.extendHours));
  elements.push(saveAndStopButton(demo.id));
  if (demo.state === 'running') {
    elements.push(button('Stop now', DemoIds.stop, demo.id, { confirm: confirm('Stop this demo?', 'The VM is stopped; its disk is kept.', 'Stop') }));
  }
  const cap = n.extendTo ? `Extend keeps it until ${slackDate(n.extendTo)}.` : 'It is at its maximum lifetime: save it to keep your work.';
  return {
    text: `${title} expires in ${minutes} minutes`,
    blocks: [
      section(
        `:alarm_clock: *${title}* (\`${demo.displayName}\`) expires ${slackDate(demo.expiresAt)} — in about ${minutes} minute${minutes === 1 ? '' : 's'}. Then ${then}.\n${cap}`,
      ),
      { type: 'actions', elements },
    ],
  };
}

/** What Extend says it did (where the user clicked). */
export function extendedText(demo: Pick<Demo, 'displayName' | 'expiresAt'>): string {
  return `:white_check_mark: Extended: \`${demo.displayName}\` now runs until ${slackDate(demo.expiresAt)}.`;
}

/** The answer to `/demo extend`: the new expiry, in the reader's own time zone (Slack renders it; UTC otherwise). */
export function extendAnswer(demo: Pick<Demo, 'displayName' | 'expiresAt'>, extended: boolean): string {
  return `${extended ? ':white_check_mark: Extended' : 'No change:'} \`${demo.displayName}\` ${extended ? 'to' : 'already runs until'} ${slackDate(demo.expiresAt, '{time}')} (${slackDate(demo.expiresAt, '{date_short_pretty}')}).`;
}

/** What the nudge turns into once the user extended. */
export function extendedMessage(demo: Pick<Demo, 'displayName' | 'expiresAt'>): { text: string; blocks: KnownBlock[] } {
  return { text: `Extended until ${demo.expiresAt.toISOString()}`, blocks: [section(extendedText(demo))] };
}

export function retentionWarning(w: {
  kind: 'demo' | 'image';
  id: string;
  title: string;
  name: string;
  idleDays: number;
  deleteAt: Date;
  monthlyUsd: number | null;
}): { text: string; blocks: KnownBlock[] } {
  const what =
    w.kind === 'demo'
      ? `Your demo *${escapeMrkdwn(w.title)}* (\`${w.name}\`) has been stopped`
      : `Your saved image *${escapeMrkdwn(w.title)}* (\`${w.name}\`) has not been used`;
  const cost =
    w.monthlyUsd === null
      ? ''
      : ` Keeping it costs about ${formatUsd(w.monthlyUsd)} a month in storage${w.kind === 'demo' ? ' (estimated from its image size)' : ''}.`;
  return {
    text: `${escapeMrkdwn(w.title)} will be deleted ${w.deleteAt.toISOString().slice(0, 10)} unless you keep it`,
    blocks: [
      section(`:broom: ${what} for over ${w.idleDays} days. I will delete it ${slackDate(w.deleteAt, '{date_short_pretty}')} unless you keep it.${cost}`),
      { type: 'actions', elements: [button('Keep it', w.kind === 'demo' ? LifecycleIds.keepDemo : LifecycleIds.keepImage, w.id, { style: 'primary' })] },
    ],
  };
}

export function transferModal(target: { kind: 'demo' | 'image'; id: string; name: string }): View {
  return modal({
    title: 'Hand over',
    callbackId: LifecycleIds.transferView,
    submit: 'Hand over',
    close: 'Cancel',
    privateMetadata: JSON.stringify({ kind: target.kind, id: target.id } satisfies TransferMetadata),
    blocks: [
      section(
        `Give ${target.kind === 'demo' ? 'the demo' : 'the saved image'} *${escapeMrkdwn(target.name)}* to a colleague. They become its owner; you will no longer be able to stop, save or delete it.`,
      ),
      {
        type: 'input',
        block_id: LifecycleIds.transferUserBlock,
        label: plain('New owner'),
        element: { type: 'users_select', action_id: LifecycleIds.transferUser, placeholder: plain('Pick a colleague') },
      },
    ],
  });
}

/** One saved image: title, lineage, size and cost; Resume / Share / Export / Hand over / Delete. */
export function savedImageBlocks(i: SavedImage): KnownBlock[] {
  const status = i.status === 'ready' ? '' : ` · _${i.status}_`;
  const lineage = i.parentTitle ? ` · from ${escapeMrkdwn(truncate(i.parentTitle, 60))}` : '';
  const line = `*${escapeMrkdwn(truncate(i.title, 120))}*${status}\n\`${i.displayName}\`${lineage} · saved ${slackDate(i.createdAt, '{date_short_pretty}')} · ${formatGib(i.storageBytes)}, ${i.monthlyUsd === null ? 'storage price unknown' : `≈${formatUsd(i.monthlyUsd)}/month`}`;
  const elements: ActionsBlockElement[] = [];
  if (i.status === 'ready') {
    elements.push(button('Resume', LifecycleIds.resume, i.id, { style: 'primary' }));
    // Sharing and exports (their own capabilities) open their modals from these buttons.
    if (i.visibility === 'private') elements.push(button('Share…', SharingIds.share, i.id));
    elements.push(button('Export…', ExportIds.open, i.id));
    elements.push(button('Hand over', LifecycleIds.transfer, `image|${i.id}`));
    elements.push(
      button('Delete', LifecycleIds.deleteImage, i.id, {
        style: 'danger',
        confirm: confirm(
          'Delete this image?',
          `The machine image of \`${i.displayName}\` is deleted; demos already running from it keep running. This cannot be undone.`,
          'Delete',
          'danger',
        ),
      }),
    );
  }
  return elements.length ? [section(line), { type: 'actions', elements }] : [section(line)];
}

/** `/demo images`: an ephemeral list (≤ 50 blocks). */
export function imageListMessage(items: SavedImage[], total: number): { text: string; blocks: KnownBlock[] } {
  if (total === 0)
    return {
      text: 'No saved images',
      blocks: [section("You haven't saved any demo yet. Press *Save* on a demo's message to keep it as an image of your own.")],
    };
  const blocks: KnownBlock[] = [section(`*Your saved images* (${total})`)];
  for (const i of items.slice(0, 20)) blocks.push(...savedImageBlocks(i));
  if (total > items.length) blocks.push(context(`Showing the newest ${items.length}; the Home tab pages through all of them.`));
  return { text: `You have ${total} saved image(s).`, blocks: blocks.slice(0, 50) };
}

const age = (from: Date, now: Date) => {
  const h = (now.getTime() - from.getTime()) / 3_600_000;
  return h < 48 ? `${h.toFixed(1)} h` : `${Math.floor(h / 24)} d`;
};

/** The admin fleet: live demos with owner, age, expiry, cost; orphans; the pause switch. */
export function fleetBlocks(f: Fleet, opts: { maxRows: number }): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Fleet')];
  const pauseText = f.pause.paused
    ? `:double_vertical_bar: *New launches are paused*${f.pause.by ? ` by ${userRef(f.pause.by)}` : ''}${f.pause.reason ? `: ${escapeMrkdwn(f.pause.reason)}` : ''}.`
    : ':arrow_forward: New launches are allowed.';
  blocks.push(
    section(
      pauseText,
      button(
        f.pause.paused ? 'Allow launches' : 'Pause launches',
        LifecycleIds.pause,
        f.pause.paused ? 'off' : 'on',
        f.pause.paused
          ? {}
          : {
              style: 'danger',
              confirm: confirm(
                'Pause new launches?',
                'Nobody can launch or resume a demo until you allow it again. Running demos are not affected.',
                'Pause',
                'danger',
              ),
            },
      ),
    ),
  );
  const cost = f.rows.reduce((sum, r) => sum + (r.cost ?? 0), 0);
  blocks.push(
    context(
      `${f.total} live demo${f.total === 1 ? '' : 's'} · cost so far of those shown ${formatUsd(cost)}${f.rows.some((r) => r.cost === null) ? ' (some machine types have no price yet)' : ''}`,
    ),
  );
  if (f.pools.lines.length || f.pools.budget?.reached) blocks.push(section(truncate(poolSummary(f.pools.lines, f.pools.budget), 3000)));
  blocks.push(...upcomingBookingsBlocks(f.bookings));
  if (f.unpriced.length) {
    const list = f.unpriced.map((u) => `${u.machineType} in ${u.region}`).join(', ');
    blocks.push(
      section(
        truncate(
          `:warning: *Price unknown* for ${list}: no Cloud Billing Catalog SKU matched and no admin set one. Launches are allowed but not counted against budgets; set a price with \`/demo admin price <machine-type> <region> <usd-per-hour>\`.`,
          3000,
        ),
      ),
    );
  }
  if (f.catalogSkips.length) {
    const list = f.catalogSkips
      .slice(0, 5)
      .map((skip) => `\`${skip.name}\`: ${escapeMrkdwn(truncate(skip.reason, 150))}`)
      .join('\n');
    const more = f.catalogSkips.length > 5 ? `\n…and ${f.catalogSkips.length - 5} more (see the worker's log).` : '';
    blocks.push(
      section(
        truncate(
          `:warning: *Catalog sync skipped ${f.catalogSkips.length} machine image${f.catalogSkips.length === 1 ? '' : 's'}*; the rest are in the catalog.\n${list}${more}`,
          3000,
        ),
      ),
    );
  }
  for (const r of f.rows.slice(0, opts.maxRows)) {
    const line = `${userRef(r.ownerId)} · *${escapeMrkdwn(truncate(r.title, 60))}* · \`${r.displayName}\` · ${r.state}${r.progress !== 'ready' && r.progress !== 'idle' ? ` (${r.progress})` : ''}\nage ${age(r.createdAt, f.now)} · expires ${slackDate(r.expiresAt)} · ${r.hours.toFixed(1)} h · ${formatUsd(r.cost, r.currency)}`;
    const stop =
      r.state === 'running' && r.progress === 'ready'
        ? button('Force stop', LifecycleIds.forceStop, r.demoId, {
            style: 'danger',
            confirm: confirm('Stop this demo?', `Stops ${r.displayName} of its owner now; they are told in their DM.`, 'Stop', 'danger'),
          })
        : undefined;
    blocks.push(section(line, stop));
  }
  if (f.total > Math.min(f.rows.length, opts.maxRows))
    blocks.push(context(`…and ${f.total - Math.min(f.rows.length, opts.maxRows)} more. \`/demo admin fleet\` lists the oldest first.`));
  if (f.orphans) {
    const vms = f.orphans.vms;
    const asOf = `as of the last check with GCE, ${slackDate(f.orphans.at, '{time}')}`;
    blocks.push(
      section(
        vms.length
          ? `:ghost: *Orphaned VMs* (labelled \`managed-by=demo-vm\`, unknown to the app), ${asOf}: ${vms.length}`
          : `:white_check_mark: No orphaned VMs (${asOf}).`,
      ),
    );
    if (vms.length)
      blocks.push(fields(vms.slice(0, 10).map((o) => [o.name, `${o.zone} · ${o.status}${o.labels['owner'] ? ` · owner label ${o.labels['owner']}` : ''}`])));
  }
  return blocks;
}

/** The pools as the admin fleet and `/demo admin pool` show them. */
export function poolSummary(lines: PoolLine[], budget: PoolBudget | null): string {
  if (!lines.length) return 'No warm pools. `/demo admin pool <image> 3` keeps three suspended clones of an image ready.';
  const rows = lines.map((l) =>
    l.stoppedReason
      ? `• *${escapeMrkdwn(l.title)}*: turned off, ${escapeMrkdwn(l.stoppedReason)}`
      : `• *${escapeMrkdwn(l.title)}*: ${l.ready} ready, ${l.warming} warming of ${l.auto ? `up to ${l.size} (following demand)` : l.size}`,
  );
  const spend = budget ? `Pool cost this month: ${formatUsd(budget.spent)} of ${formatUsd(budget.cap)}.` : '';
  const reached = budget?.reached ? ' :no_entry: *Pool budget reached: nothing is refilled until next month* (POOL_MONTHLY_BUDGET_USD).' : '';
  return [':zap: *Warm pools*', ...rows, `${spend}${reached}`].filter(Boolean).join('\n');
}
