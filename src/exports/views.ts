import type { Button, KnownBlock, View } from '@slack/types';
import type { ImageDetail } from '../catalog/service.ts';
import { button, confirm, context, escapeMrkdwn, fields, modal, option, plain, section, slackDate } from '../platform/blocks.ts';
import { z } from 'zod';
import { metadataId } from '../platform/view-metadata.ts';
import { EXPORT_FORMATS, type ExportFormat, FORMAT_INFO, formatBytes, objectConsoleUrl } from './formats.ts';
import { ExportIds } from './ids.ts';
import type { ExportOptions } from './service.ts';
import { MAX_SIGNED_URL_DAYS } from './ports.ts';
import type { Export, ExportProgress } from './store.ts';

/** What the export modal keeps in private_metadata. */
export const ExportMetadata = z.object({ imageId: metadataId() });
export type ExportMetadata = z.infer<typeof ExportMetadata>;

export interface ImageRef {
  id: string;
  title: string;
  displayName: string;
  gceName: string;
}

export function exportModal(image: ImageRef, opts: ExportOptions, initial: { format?: ExportFormat; bucket?: string; prefix?: string } = {}): View {
  const formatOptions = EXPORT_FORMATS.map((f) => option(`${FORMAT_INFO[f].label} — ${FORMAT_INFO[f].for}`, f));
  const bucketOptions = opts.buckets.slice(0, 100).map((b) => option(`gs://${b}`, b));
  const initialBucket = initial.bucket && opts.buckets.includes(initial.bucket) ? initial.bucket : opts.defaultBucket;
  return modal({
    title: 'Export an image',
    callbackId: ExportIds.modal,
    submit: 'Export',
    close: 'Cancel',
    privateMetadata: JSON.stringify({ imageId: image.id } satisfies ExportMetadata),
    blocks: [
      section(
        `Write *${escapeMrkdwn(image.title)}* (\`${image.displayName}\`) to Cloud Storage as a disk file for a hypervisor or real hardware. I'll DM you the link when it is done (usually 15–60 minutes).`,
      ),
      {
        type: 'input',
        block_id: ExportIds.formatBlock,
        label: plain('Format'),
        element: {
          type: 'static_select',
          action_id: ExportIds.format,
          options: formatOptions,
          ...(initial.format ? { initial_option: formatOptions.find((o) => o.value === initial.format) } : {}),
          placeholder: plain('Pick the format your hypervisor takes'),
        },
      },
      {
        type: 'input',
        block_id: ExportIds.bucketBlock,
        label: plain('Bucket'),
        element: {
          type: 'static_select',
          action_id: ExportIds.bucket,
          options: bucketOptions,
          ...(initialBucket ? { initial_option: bucketOptions.find((o) => o.value === initialBucket) } : {}),
        },
      },
      {
        type: 'input',
        block_id: ExportIds.prefixBlock,
        optional: true,
        label: plain('Folder in the bucket'),
        hint: plain(`The file is written to gs://<bucket>/<folder>/${image.gceName}.<extension>.`),
        element: {
          type: 'plain_text_input',
          action_id: ExportIds.prefix,
          max_length: 200,
          placeholder: plain('e.g. customers/acme/'),
          ...(initial.prefix ? { initial_value: initial.prefix } : {}),
        },
      },
    ],
  });
}

export function exportQueuedModal(title: string, uri: string): View {
  return modal({
    title: 'Export an image',
    blocks: [
      section(
        `:package: Exporting *${escapeMrkdwn(title)}* to \`${uri}\`. Watch your DMs from me: the message there follows the export until the file is ready.`,
      ),
    ],
  });
}

const STEPS: Array<{ at: ExportProgress[]; text: string }> = [
  { at: ['queued', 'creating_instance'], text: 'Create a temporary VM from the machine image' },
  { at: ['stopping_instance'], text: 'Stop it, so its disk is consistent' },
  { at: ['creating_image'], text: 'Make an image of its boot disk' },
  { at: ['starting_build', 'build_queued', 'build_working'], text: 'Convert the image with Cloud Build and write it to Cloud Storage' },
  { at: ['finishing'], text: 'Clean up and sign a download link' },
];

function stepLines(progress: ExportProgress): string {
  const current = STEPS.findIndex((s) => s.at.includes(progress));
  return STEPS.map((s, i) => `${i < current ? ':white_check_mark:' : i === current ? ':hourglass_flowing_sand:' : ':white_small_square:'} ${s.text}`).join(
    '\n',
  );
}

const BUILD_NOTE: Partial<Record<ExportProgress, string>> = {
  build_queued: 'The build is queued in Cloud Build.',
  build_working: 'The build is running; converting a disk takes a while (often 15–60 minutes).',
  cancelling: 'Cancelling: stopping the build and removing the temporary VM and image…',
};

/** A URL inside mrkdwn `<url|text>`: Slack reads entities there, so `&` is written `&amp;`. */
const linkUrl = (url: string) => url.replaceAll('&', '&amp;').replaceAll('<', '%3C').replaceAll('>', '%3E').replaceAll('|', '%7C');

export interface StatusContext {
  imageTitle: string;
  project: string;
  /** What EXPORT_SIGNED_URL_DAYS asked for (links are clamped to 7 days). */
  askedDays: number;
}

/** The DM that follows one export, edited in place at every step. */
export function statusMessage(e: Export, c: StatusContext): { text: string; blocks: KnownBlock[] } {
  const title = escapeMrkdwn(c.imageTitle);
  const format = FORMAT_INFO[e.format].label;
  const where = context(`\`${e.destinationUri}\` · ${format} · export \`${e.id.slice(0, 8)}\``);
  const logLink = e.logUrl ? `<${linkUrl(e.logUrl)}|Build log>` : null;

  if (e.state === 'done') {
    const consoleUrl = objectConsoleUrl(e.destinationUri, c.project);
    const expires = e.signedUrlExpiresAt ? slackDate(e.signedUrlExpiresAt) : '—';
    const blocks: KnownBlock[] = [
      section(`:white_check_mark: *${title}* is exported as ${format}.`),
      fields([
        ['File', `\`${e.destinationUri}\``],
        ['Size', formatBytes(e.sizeBytes)],
        ['Format', `${format} (${FORMAT_INFO[e.format].for})`],
        ['Download link expires', expires],
      ]),
      section([consoleUrl ? `<${linkUrl(consoleUrl)}|Cloud Console>` : null, logLink].filter(Boolean).join('  ·  ')),
    ];
    // The one download control: a button (a second text link beside it only made people wonder which).
    if (e.signedUrl) blocks.push({ type: 'actions', elements: [button('Download', ExportIds.download, e.id, { url: e.signedUrl, style: 'primary' })] });
    const clamp =
      c.askedDays > MAX_SIGNED_URL_DAYS ? ` Signed links last at most ${MAX_SIGNED_URL_DAYS} days, so the ${c.askedDays} days configured were shortened.` : '';
    const note = e.signedUrl
      ? `Anyone with the download link can fetch the file until it expires; share it with care.${clamp}`
      : 'I could not sign a download link (an admin can see why in the logs); share the file from the Cloud Console instead.';
    blocks.push(context(note), where);
    return { text: `${title} exported to ${escapeMrkdwn(e.destinationUri)}`, blocks };
  }
  if (e.state === 'failed') {
    const blocks: KnownBlock[] = [section(`:x: Exporting *${title}* failed.\n${escapeMrkdwn(e.failureReason ?? 'Unknown error.')}`)];
    if (logLink) blocks.push(section(logLink));
    blocks.push(context('The temporary VM and image made for the export are removed.'), where);
    return { text: `Exporting ${title} failed: ${escapeMrkdwn(e.failureReason ?? '')}`, blocks };
  }
  if (e.state === 'cancelled') {
    return {
      text: `Export of ${title} cancelled`,
      blocks: [section(`:no_entry_sign: Export of *${title}* cancelled. The temporary VM and image are removed.`), where],
    };
  }

  const blocks: KnownBlock[] = [section(`:package: *Exporting ${title}* to \`${e.destinationUri}\``), section(stepLines(e.progress))];
  const note = BUILD_NOTE[e.progress];
  if (note || logLink) blocks.push(context([note, logLink].filter(Boolean).join(' ')));
  if (e.progress !== 'cancelling') {
    blocks.push({
      type: 'actions',
      elements: [
        button('Cancel export', ExportIds.cancel, e.id, {
          style: 'danger',
          confirm: confirm('Stop this export?', 'The build stops and the temporary VM and image are removed. Nothing is written.', 'Stop the export', 'danger'),
        }),
      ],
    });
  }
  blocks.push(where);
  return { text: `Exporting ${title}: ${e.progress.replaceAll('_', ' ')}`, blocks };
}

/** The Export button on an image's details (registered with catalog/detail.ts). */
export const detailButtons = (d: ImageDetail): Button[] => (d.can.export ? [button('Export…', ExportIds.open, d.image.id)] : []);
