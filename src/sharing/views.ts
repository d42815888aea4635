import type { Button, KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import type { ImageDetail } from '../catalog/service.ts';
import type { OverDetailMetadata } from '../catalog/views.ts';
import { metadataId } from '../platform/view-metadata.ts';
import { button, confirm, context, escapeMrkdwn, modal, plain, section, slackDate, truncate } from '../platform/blocks.ts';
import { SharingIds } from './ids.ts';
import type { Outcome, ShareRequest } from './store.ts';

/** Block Kit of share requests, pure functions of data. */

/** What the deny modal keeps in private_metadata: the request, and the message the click came from. */
export const DenyMetadata = z.object({ requestId: metadataId(), channel: z.string().optional(), ts: z.string().optional() });
export type DenyMetadata = z.infer<typeof DenyMetadata>;

export const MAX_NOTE = 2000;
export const MAX_REASON = 1000;

function quote(text: string): string {
  return escapeMrkdwn(text)
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
}

/** What happened to a request, in one line (message, DMs, "already decided" replies). */
export function outcomeLine(r: ShareRequest): string {
  const when = r.decidedAt ? slackDate(r.decidedAt) : '';
  switch (r.status) {
    case 'pending':
      return ':hourglass_flowing_sand: Waiting for an approver.';
    case 'approved':
      return `:white_check_mark: *Approved* by <@${r.decidedBy}> ${when}.`;
    case 'denied':
      return `:no_entry: *Denied* by <@${r.decidedBy}> ${when}${r.reason ? `: “${escapeMrkdwn(truncate(r.reason, 500))}”` : '.'}`;
    case 'withdrawn':
      return `:leftwards_arrow_with_hook: *Withdrawn* by ${r.decidedBy ? `<@${r.decidedBy}>` : `<@${r.requesterId}>`} ${when}${r.reason ? `: ${escapeMrkdwn(r.reason)}` : ''}.`;
    case 'expired':
      return `:hourglass: *Expired* ${when}: nobody decided in time.`;
  }
}

/** Told to whoever clicks a button of a request that is no longer open. */
export function alreadyDecided(r: ShareRequest): string {
  return `This share request is already closed. ${outcomeLine(r)} Nothing was changed.`;
}

export interface RequestMessageData {
  request: ShareRequest;
  imageTitle: string;
  card: KnownBlock[];
  expiresAt: Date;
}

/** The request in the approvals channel: the image, the note, Approve / Deny; the thread is the discussion. */
export function requestMessage(d: RequestMessageData): { text: string; blocks: KnownBlock[] } {
  const r = d.request;
  const title = escapeMrkdwn(d.imageTitle);
  const blocks: KnownBlock[] = [section(`:raising_hand: <@${r.requesterId}> asks to share *${title}* with everyone.`), ...d.card];
  if (r.note) blocks.push(section(`*Note for the approver*\n${quote(truncate(r.note, 2800))}`));
  if (r.status === 'pending') {
    blocks.push(
      {
        type: 'actions',
        elements: [
          button('Approve', SharingIds.approve, r.id, {
            style: 'primary',
            confirm: confirm('Share it with everyone?', `*${title}* will be in everyone's catalog.`, 'Approve'),
          }),
          button('Deny…', SharingIds.deny, r.id, { style: 'danger' }),
        ],
      },
      context(
        `Discuss it in this thread. Only an approver other than <@${r.requesterId}> can decide. Expires ${slackDate(d.expiresAt, '{date_short_pretty}')} if nobody does.`,
      ),
    );
  } else {
    blocks.push(section(outcomeLine(r)));
  }
  const text =
    r.status === 'pending'
      ? `${escapeMrkdwn(d.imageTitle)}: share request from <@${r.requesterId}>`
      : `${escapeMrkdwn(d.imageTitle)}: share request ${r.status}`;
  return { text, blocks };
}

/** The DM to the requester once a request is closed by someone else (or by time). */
export function decisionDm(r: ShareRequest & { status: Outcome }, imageTitle: string, links: { request: string | null; expiryDays: number }): string | null {
  const title = `*${escapeMrkdwn(imageTitle)}*`;
  const thread = links.request ? ` The discussion is in <${links.request}|the request's thread>.` : '';
  switch (r.status) {
    case 'approved':
      return `:tada: <@${r.decidedBy}> approved sharing ${title}. It is now in everyone's catalog: colleagues can launch it and save their own versions.${thread}`;
    case 'denied':
      return `:no_entry: <@${r.decidedBy}> did not approve sharing ${title}${r.reason ? `: “${escapeMrkdwn(truncate(r.reason, 1000))}”` : '.'} It stays private to you.${thread}`;
    case 'expired':
      return `:hourglass: Your request to share ${title} expired: nobody decided within ${links.expiryDays} days. It stays private; ask again any time.`;
    case 'withdrawn':
      // Only worth a DM when someone else did it for them, or it happened as a side effect (a hand-over).
      if (!r.decidedBy && !r.reason) return null;
      return `:leftwards_arrow_with_hook: ${r.decidedBy ? `<@${r.decidedBy}> withdrew your` : 'Your'} request to share ${title}${r.decidedBy ? '' : ' was withdrawn'}${r.reason ? `: ${escapeMrkdwn(r.reason)}` : ''}. It is private now.`;
  }
}

/** The requester's DM about a reply in their request's thread (the words are Slack mrkdwn as typed). */
export function threadReplyDm(r: { user: string; words: string; imageTitle: string; link: string }): string {
  return `:speech_balloon: <@${r.user}> wrote in the thread of your request to share *${escapeMrkdwn(r.imageTitle)}*:\n>${truncate(r.words, 300).replace(/\n/g, '\n>')}\n<${r.link}|Open the thread>`;
}

export function shareModal(image: { id: string; title: string }, card: KnownBlock[], approvalsChannel: string, parentViewId: string | null): View {
  return modal({
    title: 'Share an image',
    callbackId: SharingIds.requestView,
    submit: 'Ask to share',
    privateMetadata: JSON.stringify({ imageId: image.id, parentViewId } satisfies OverDetailMetadata),
    blocks: [
      section(
        `Ask an approver to share this image with everyone. The request goes to <#${approvalsChannel}>, where it is discussed in a thread; I'll DM you the decision.`,
      ),
      ...card,
      {
        type: 'input',
        block_id: SharingIds.noteBlock,
        optional: true,
        label: plain('Note for the approver'),
        element: {
          type: 'plain_text_input',
          action_id: SharingIds.note,
          multiline: true,
          max_length: MAX_NOTE,
          placeholder: plain('What it is for, which customers, what you changed…'),
        },
      },
    ],
  });
}

export function sentModal(imageTitle: string, approvalsChannel: string): View {
  return modal({
    title: 'Share an image',
    blocks: [section(`:outbox_tray: Asked to share *${escapeMrkdwn(imageTitle)}*. The request is in <#${approvalsChannel}>; I'll DM you the decision.`)],
  });
}

export function denyModal(r: ShareRequest, imageTitle: string, source: { channel: string; ts: string } | null): View {
  return modal({
    title: 'Deny sharing',
    callbackId: SharingIds.denyView,
    submit: 'Deny',
    privateMetadata: JSON.stringify({ requestId: r.id, ...(source ?? {}) } satisfies DenyMetadata),
    blocks: [
      section(`Deny <@${r.requesterId}>'s request to share *${escapeMrkdwn(imageTitle)}*? They will get your reason in a DM.`),
      {
        type: 'input',
        block_id: SharingIds.reasonBlock,
        label: plain('Reason'),
        element: {
          type: 'plain_text_input',
          action_id: SharingIds.reason,
          multiline: true,
          max_length: MAX_REASON,
          placeholder: plain('e.g. contains a customer’s data; please remove it and ask again'),
        },
      },
    ],
  });
}

export function approversText(list: { userIds: string[]; source: string }, admins: string[]): string {
  const people = list.userIds.length ? list.userIds.map((u) => `<@${u}>`).join(', ') : '_nobody_';
  return `*Approvers:* ${people}\nFrom ${list.source}.${admins.length ? ` Admins (${admins.map((u) => `<@${u}>`).join(', ')}) can always decide.` : ''}`;
}

/** Sharing's buttons on an image's details (registered with catalog/detail.ts). */
export function detailButtons(d: ImageDetail): Button[] {
  const id = d.image.id;
  return [
    ...(d.can.share ? [button('Share with everyone…', SharingIds.share, id)] : []),
    ...(d.can.withdraw ? [button('Withdraw share request', SharingIds.withdraw, id)] : []),
    ...(d.can.unshare
      ? [
          button('Unshare', SharingIds.unshare, id, {
            style: 'danger',
            confirm: confirm(
              'Unshare this image?',
              'Colleagues will no longer find it in the catalog. Their own saved copies stay theirs.',
              'Unshare',
              'danger',
            ),
          }),
        ]
      : []),
  ];
}
