import type { KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import { button, confirm, context, escapeMrkdwn, fields, modal, option, plain, section, slackDate } from '../platform/blocks.ts';
import { formatMoney, formatRate, priceBasis } from '../accounting/money.ts';
import { consoleLinks, regionOfZone } from '../platform/compute/port.ts';
import { CatalogIds } from '../catalog/ids.ts';
import { DemoIds } from './ids.ts';
import { IdleIds } from './idle-ids.ts';
import { LifecycleIds } from './lifecycle-ids.ts';
import { extendButton, saveAndStopButton } from './lifecycle-views.ts';
import { metadataId } from '../platform/view-metadata.ts';
import type { LaunchOptions, MachineTypeChoice } from './service.ts';
import type { Demo } from './store.ts';
import type { AppDeclaration } from '../catalog/image-labels.ts';
import { anotherTimeButton, bookedTime, bookingBlocks, type Booking } from './booking-views.ts';

/** What the launch modal keeps in private_metadata. */
export const LaunchMetadata = z.object({ imageId: metadataId() });
export type LaunchMetadata = z.infer<typeof LaunchMetadata>;

export interface ImageSummary {
  id: string;
  title: string;
  displayName: string;
}

/** `e2-standard-2 · 2 vCPU · 8 GB · USD 0.067/h` (shared-core types say so); the name alone until sizes are known. */
export function machineTypeLabel(t: MachineTypeChoice): string {
  const price = t.hourlyPrice === null ? 'price unknown' : `${formatRate(t.hourlyPrice)}/h`;
  if (!t.size) return `${t.name} · ${price}`;
  const gb = t.size.memoryMb / 1024;
  return `${t.name} · ${t.size.guestCpus} ${t.size.isSharedCpu ? 'shared ' : ''}vCPU · ${Number.isInteger(gb) ? gb : gb.toFixed(1)} GB · ${price}`;
}

function ttlLabel(h: number): string {
  return h < 24 ? `${h} hours` : `${h / 24} day${h === 24 ? '' : 's'}`;
}

/** The picked type's cost over the picked lifetime and what it leaves of the user's month. */
export function launchEstimate(opts: LaunchOptions): string {
  const { zone, machineType, ttl } = opts.picked;
  const price = opts.machineTypes.find((t) => t.name === machineType)?.hourlyPrice ?? null;
  if (price === null) {
    return `:warning: *Price unknown* for ${machineType} in ${regionOfZone(zone)}: you may launch it, but its cost is not counted against your budget. An admin can set a price with \`/demo admin price\`.`;
  }
  const cost = price * ttl;
  const lines = [`*Estimated cost:* ${formatMoney(cost)} for ${ttlLabel(ttl)} at ${formatRate(price)}/h (on-demand ${priceBasis(opts.discount)})`];
  if (opts.budget) {
    const left = opts.budget.limit - opts.budget.committed;
    lines.push(
      `*Your monthly budget:* ${formatMoney(Math.max(0, left))} left of ${formatMoney(opts.budget.limit)}, ${formatMoney(Math.max(0, left - cost))} after this one`,
    );
    if (cost > left + 1e-9) lines.push(':no_entry: That is more than your budget has left: pick a shorter time or a smaller machine, or stop a demo.');
  }
  return lines.join('\n');
}

/**
 * The launch modal. "Ready by" starts at now (launch at once, as always); a later time books the demo
 * (Slack's datetimepicker carries Unix seconds, shown in each user's own time zone). `readyBy` keeps
 * what the user picked across updates.
 */
export function launchModal(image: ImageSummary, opts: LaunchOptions, readyBy: Date): View {
  const zoneOptions = opts.zones.map((z) => option(z, z));
  const typeOptions = opts.machineTypes.map((t) => option(machineTypeLabel(t), t.name));
  const ttlOptions = opts.ttlChoices.map((h) => option(ttlLabel(h), String(h)));
  return modal({
    title: 'Launch a demo',
    callbackId: DemoIds.launchView,
    submit: 'Launch',
    close: 'Cancel',
    privateMetadata: JSON.stringify({ imageId: image.id } satisfies LaunchMetadata),
    blocks: [
      section(`A new VM from *${escapeMrkdwn(image.title)}* (\`${image.displayName}\`), just for you. I'll DM you its links when it is ready.`),
      {
        type: 'input',
        block_id: DemoIds.zoneBlock,
        dispatch_action: true, // prices are per region: a new zone, a new estimate
        label: plain('Zone'),
        element: {
          type: 'static_select',
          action_id: DemoIds.zone,
          options: zoneOptions,
          initial_option: zoneOptions.find((o) => o.value === opts.picked.zone),
        },
      },
      {
        type: 'input',
        block_id: DemoIds.machineTypeBlock,
        dispatch_action: true,
        label: plain('Machine type'),
        element: {
          type: 'static_select',
          action_id: DemoIds.machineType,
          options: typeOptions,
          initial_option: typeOptions.find((o) => o.value === opts.picked.machineType),
        },
      },
      {
        type: 'input',
        block_id: DemoIds.ttlBlock,
        dispatch_action: true,
        label: plain('Keep it for'),
        hint: plain('It stops by itself after this; you will be asked whether to extend it first.'),
        element: {
          type: 'static_select',
          action_id: DemoIds.ttl,
          options: ttlOptions,
          initial_option: ttlOptions.find((o) => o.value === String(opts.picked.ttl)),
        },
      },
      {
        type: 'input',
        block_id: DemoIds.readyByBlock,
        optional: true,
        label: plain('Ready by'),
        hint: plain('Now launches it at once. A later time books it: I start it just in time, and its time starts then.'),
        element: { type: 'datetimepicker', action_id: DemoIds.readyBy, initial_date_time: Math.floor(readyBy.getTime() / 1000) },
      },
      { type: 'section', block_id: DemoIds.estimateBlock, text: { type: 'mrkdwn', text: launchEstimate(opts) } },
    ],
  });
}

/** A message named several images ("Launch this demo"): pick one; Launch pushes its launch modal. */
export function launchChoiceModal(images: ImageSummary[], more: boolean): View {
  const blocks: KnownBlock[] = [section('That message names several catalog images. Which one?')];
  for (const image of images) blocks.push(section(`*${escapeMrkdwn(image.title)}*\n\`${image.displayName}\``, button('Launch', CatalogIds.launch, image.id)));
  if (more) blocks.push(context('It names more; these are the most launched. `/demo browse` finds the others.'));
  return modal({ title: 'Launch a demo', callbackId: DemoIds.launchChoiceView, close: 'Cancel', blocks });
}

/** What the modal turns into once the launch is queued. */
export function launchQueuedModal(image: ImageSummary): View {
  return modal({
    title: 'Launch a demo',
    blocks: [section(`:rocket: *${escapeMrkdwn(image.title)}* is on its way. Watch your DMs from me: the message there follows the VM until it is ready.`)],
  });
}

const PROGRESS_LINE: Record<string, string> = {
  queued: ':hourglass_flowing_sand: Queued…',
  creating: ':gear: Creating the VM from its machine image…',
  booting: ':arrows_counterclockwise: Booting…',
  stopping: ':double_vertical_bar: Stopping…',
  starting: ':arrow_forward: Starting…',
  deleting: ':wastebasket: Deleting…',
  suspending: ':zzz: Suspending (it was idle)…',
  resuming: ':arrow_forward: Resuming…',
  saving: ':floppy_disk: Saving as a machine image… (a few minutes; the VM keeps its state)',
};

export interface StatusContext {
  image: ImageSummary;
  project: string;
  appUrl: string | null;
  /** Zones to offer after a stockout. */
  otherZones: string[];
  /** Lifecycle lines under the status (a save under way or done, a hand-over…). */
  notes?: string[];
  /** Where Extend would move expiry (null at the cap), and by how many hours. */
  extendTo: Date | null;
  extendHours: number;
  /** Set when demo VMs have no external IP (GCE_EXTERNAL_IP=none): reached through IAP; `appUrl` is then the internal one the worker checks. */
  iap?: { app: AppDeclaration | null };
  /** Without buttons: the card as a link unfurl shows it to everyone in a channel. */
  readOnly?: boolean;
}

/** A local port for the tunnel: the app's own unless it needs root locally. */
const localPort = (port: number) => (port < 1024 ? 10_000 + port : port);

/** How to reach a VM without an external IP: SSH and the app port through IAP TCP forwarding. */
export function iapAccess(project: string, demo: Pick<Demo, 'instanceName' | 'zone'>, app: AppDeclaration | null): string {
  const at = `${demo.instanceName} --zone ${demo.zone} --project ${project}`;
  const lines = [`gcloud compute ssh ${at} --tunnel-through-iap`];
  if (app) {
    const local = localPort(app.port);
    lines.push(
      `gcloud compute start-iap-tunnel ${demo.instanceName} ${app.port} --local-host-port=localhost:${local} --zone ${demo.zone} --project ${project}`,
    );
    lines.push(`# then open ${app.scheme}://localhost:${local}${app.path}`);
  }
  return `No external IP: reach it through IAP (needs \`roles/iap.tunnelResourceAccessor\`).\n\`\`\`${lines.join('\n')}\`\`\``;
}

/** The readiness verdict; through IAP it was checked from inside the VPC, at the internal IP. */
function readinessLine(demo: Demo, url: string, viaIap: boolean): string {
  if (demo.appReady === true) return `App: ${url} — :white_check_mark: the app answered its readiness check${viaIap ? ' (from inside the VPC)' : ''}`;
  if (demo.appReady === false && viaIap)
    return `App: ${url} — :warning: I could not reach the app at its internal IP (the check runs from inside the VPC; it may still be starting, or a firewall rule keeps the worker out). Try it through the tunnel above.`;
  if (demo.appReady === false) return `App: ${url} — :warning: the app did not answer its readiness check yet (it may still be starting; check the serial log)`;
  return `App: ${url} — :hourglass_flowing_sand: checking whether the app answers…`;
}

/** Which way a launch went and how long it took, once ready: " From the warm pool: ready in 14 s." */
function launchPath(demo: Demo): string {
  if (demo.readySeconds === null) return '';
  const took = demo.readySeconds < 120 ? `${demo.readySeconds} s` : `${Math.round(demo.readySeconds / 60)} min`;
  return demo.fromPool ? ` From the warm pool: ready in ${took}.` : ` Cloned from its image: ready in ${took}.`;
}

/** The DM that follows one demo from queued to ready (and on to stopped or deleted), edited in place. */
export function statusMessage(demo: Demo, c: StatusContext): { text: string; blocks: KnownBlock[] } {
  const title = escapeMrkdwn(c.image.title);
  const where = `\`${demo.displayName}\` · ${demo.zone} · ${demo.machineType}`;
  const links = consoleLinks(c.project, demo.zone, demo.instanceName);
  const busy =
    demo.fromPool && demo.progress === 'booting'
      ? ':zap: Resuming a clone from the warm pool…'
      : PROGRESS_LINE[demo.state === 'saving' ? 'saving' : demo.progress];
  const notes = (c.notes ?? []).map((n) => context(n));

  if (demo.state === 'failed') {
    const blocks: KnownBlock[] = [section(`:x: *${title}* could not be launched.\n${escapeMrkdwn(demo.failureReason ?? 'Unknown error.')}`), context(where)];
    const stockout = demo.failureKind === 'stockout' && c.otherZones.length > 0;
    if (stockout && !c.readOnly) {
      blocks.push(
        section(`GCE has no capacity for this machine type in that zone right now. Try another zone${demo.readyBy ? ', or book another time' : ''}:`),
      );
      blocks.push({
        type: 'actions',
        elements: [
          ...c.otherZones
            .slice(0, 5)
            .map((z) => button(`Try ${z}`, `${DemoIds.retryZone}.${z}`, JSON.stringify({ demoId: demo.id, zone: z }), { style: 'primary' })),
          ...(demo.readyBy ? [anotherTimeButton(demo.imageId)] : []),
        ],
      });
    } else if (demo.readyBy && !c.readOnly) {
      blocks.push(
        section(
          `It was booked for ${bookedTime(demo.readyBy)}: book it for another time${demo.failureKind === 'quota' ? ', or ask an admin to raise the quota' : ''}.`,
          anotherTimeButton(demo.imageId),
        ),
      );
    }
    return { text: `${title} could not be launched: ${escapeMrkdwn(demo.failureReason ?? '')}`, blocks };
  }
  if (demo.state === 'deleted') {
    return { text: `${title}: deleted`, blocks: [section(`:wastebasket: *${title}* — deleted. Its VM is gone.`), ...notes, context(where)] };
  }
  if (demo.state === 'provisioning') {
    return { text: `${title}: ${busy ?? 'launching'}`, blocks: [section(`*${title}*\n${busy ?? PROGRESS_LINE.queued}`), context(where)] };
  }

  const running = demo.state === 'running' && demo.progress === 'ready';
  const headline =
    busy ??
    (running
      ? `:large_green_circle: *Ready${demo.readyBy ? ` for your ${bookedTime(demo.readyBy)}` : ''}.*${launchPath(demo)}`
      : demo.state === 'stopped'
        ? ':black_circle: Stopped. Start it again when you need it.'
        : demo.state === 'suspended'
          ? ':zzz: Suspended (memory and disk kept; its time to live is paused). Resume it when you need it.'
          : demo.state);
  const blocks: KnownBlock[] = [section(`*${title}*\n${headline}`)];
  const ip: [string, string | null] = c.iap ? ['Internal IP', demo.internalIp] : ['External IP', demo.externalIp];
  blocks.push(
    fields([
      [ip[0], ip[1] ? `\`${ip[1]}\`` : '—'],
      ['Expires', slackDate(demo.expiresAt)],
      ['Zone', demo.zone],
      ['Machine type', demo.machineType],
    ]),
  );
  // SSH-in-browser goes through IAP by itself for a VM without an external IP.
  const linkLine = [`<${links.console}|Cloud Console>`, `<${links.ssh}|SSH in browser${c.iap ? ' (IAP)' : ''}>`, `<${links.serial}|Serial log>`];
  const openApp = c.appUrl && running && !c.iap ? c.appUrl : null;
  if (openApp && c.readOnly) linkLine.push(`<${openApp}|Open the app>`);
  blocks.push(section(linkLine.join('  ·  ')));
  if (c.iap && running) blocks.push(section(iapAccess(c.project, demo, c.iap.app)));
  if (c.appUrl && running) blocks.push(context(readinessLine(demo, c.appUrl, Boolean(c.iap))));
  const actions = [];
  // A button where it can act, not a link: its click reaches the app (the one user action on a demo it can see).
  if (openApp) actions.push(button('Open the app', DemoIds.openLink, demo.id, { url: openApp, style: 'primary' }));
  if (running)
    actions.push(
      button('Stop', DemoIds.stop, demo.id, { confirm: confirm('Stop this demo?', 'The VM is stopped; its disk is kept and you can start it again.', 'Stop') }),
    );
  if (demo.state === 'stopped' && demo.progress === 'idle') actions.push(button('Start', DemoIds.start, demo.id, { style: 'primary' }));
  if (demo.state === 'suspended' && demo.progress === 'idle') actions.push(button('Resume', IdleIds.resume, demo.id, { style: 'primary' }));
  if (!busy && c.extendTo) actions.push(extendButton(demo, c.extendHours));
  if (!busy) actions.push(button('Save', LifecycleIds.save, demo.id));
  if (running) actions.push(saveAndStopButton(demo.id));
  if (!busy)
    actions.push(
      button('Delete', DemoIds.delete, demo.id, {
        style: 'danger',
        confirm: confirm('Delete this demo?', 'The VM and its disk are deleted. This cannot be undone.', 'Delete', 'danger'),
      }),
    );
  if (actions.length && !c.readOnly) blocks.push({ type: 'actions', elements: actions });
  blocks.push(...notes, context(where));
  // Notifications show this text, not the blocks: escaped like them (a title may hold <!channel>).
  const text =
    running && demo.readyBy
      ? `${title} is ready for your ${bookedTime(demo.readyBy)}`
      : `${title}: ${running ? 'ready' : demo.state}${demo.externalIp ? ` at ${demo.externalIp}` : ''}`;
  return { text, blocks };
}

export function demoListBlocks(demos: Array<{ demo: Demo; title: string }>, bookings: Booking[] = []): KnownBlock[] {
  if (demos.length === 0 && bookings.length === 0) return [section('You have no demos right now. `/demo browse` to launch one.')];
  const blocks: KnownBlock[] = [section(`*Your demos* (${demos.length})`)];
  for (const b of bookings) blocks.push(...bookingBlocks(b, { cancel: true }));
  for (const { demo, title } of demos.slice(0, 20)) {
    blocks.push(
      context(
        `*${escapeMrkdwn(title)}* · ${demo.state}${demo.progress !== 'ready' && demo.progress !== 'idle' ? ` (${demo.progress})` : ''} · \`${demo.displayName}\` · ${demo.zone} · expires ${slackDate(demo.expiresAt)}`,
      ),
    );
  }
  return blocks;
}
