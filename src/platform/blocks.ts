import type { Button, KnownBlock, PlainTextOption, View } from '@slack/types';

/** Small Block Kit helpers: Slack's limits in one place, and less noise in views. */

/** Slack shows user input back to users: never echo it unescaped into mrkdwn. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const LIMITS = { modalTitle: 24, buttonText: 75, sectionText: 3000, optionText: 75, field: 2000, blocksPerMessage: 50, blocksPerView: 100 } as const;

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

export const plain = (text: string, max = 150) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.sectionText) });

export function section(text: string, accessory?: Button): KnownBlock {
  return { type: 'section', text: mrkdwn(text), ...(accessory ? { accessory } : {}) };
}

/**
 * Text of any length as consecutive sections (each at most 3000 characters), split at a line break or
 * a space where there is one, never inside an escaped `&amp;`-style entity.
 */
export function sections(text: string): KnownBlock[] {
  const out: KnownBlock[] = [];
  let rest = text;
  while (rest.length > LIMITS.sectionText) {
    const window = rest.slice(0, LIMITS.sectionText);
    let cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (cut < LIMITS.sectionText / 2) {
      const entity = window.lastIndexOf('&');
      cut = entity > window.length - 6 && !window.slice(entity).includes(';') ? entity : LIMITS.sectionText;
    }
    out.push(section(rest.slice(0, cut)));
    rest = rest.slice(cut).replace(/^[ \n]/, '');
  }
  if (rest) out.push(section(rest));
  return out;
}

export function fields(pairs: Array<[string, string]>): KnownBlock {
  return { type: 'section', fields: pairs.slice(0, 10).map(([k, v]) => mrkdwn(truncate(`*${k}*\n${v}`, LIMITS.field))) };
}

export function context(...texts: string[]): KnownBlock {
  return { type: 'context', elements: texts.slice(0, 10).map((t) => mrkdwn(t)) };
}

export const divider = (): KnownBlock => ({ type: 'divider' });

export function header(text: string): KnownBlock {
  return { type: 'header', text: plain(text, 150) };
}

export function button(
  text: string,
  actionId: string,
  value: string,
  opts: { style?: 'primary' | 'danger'; url?: string; confirm?: Button['confirm'] } = {},
): Button {
  return {
    type: 'button',
    text: plain(text, LIMITS.buttonText),
    action_id: actionId,
    value,
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.url ? { url: opts.url } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
  };
}

export function confirm(title: string, text: string, yes: string, style: 'primary' | 'danger' = 'primary'): NonNullable<Button['confirm']> {
  return { title: plain(title, 100), text: mrkdwn(text), confirm: plain(yes, 30), deny: plain('Cancel', 30), style };
}

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, LIMITS.optionText), value };
}

export function modal(opts: {
  title: string;
  callbackId?: string;
  blocks: KnownBlock[];
  submit?: string;
  close?: string;
  privateMetadata?: string;
  externalId?: string;
}): View {
  return {
    type: 'modal',
    title: plain(truncate(opts.title, LIMITS.modalTitle), LIMITS.modalTitle),
    ...(opts.callbackId ? { callback_id: opts.callbackId } : {}),
    ...(opts.submit ? { submit: plain(opts.submit, LIMITS.modalTitle) } : {}),
    close: plain(opts.close ?? 'Close', LIMITS.modalTitle),
    ...(opts.privateMetadata ? { private_metadata: opts.privateMetadata } : {}),
    ...(opts.externalId ? { external_id: opts.externalId } : {}),
    blocks: opts.blocks.slice(0, LIMITS.blocksPerView),
  };
}

/** The view shown inside the 3 s trigger window while the real one is being built. */
export function loadingModal(title: string, what = 'Loading…'): View {
  return modal({ title, blocks: [section(`:hourglass_flowing_sand: ${what}`)] });
}

export function errorModal(title: string, message: string): View {
  return modal({ title, blocks: [section(`:warning: ${message}`)] });
}

export const userRef = (id: string | null | undefined) => (id ? `<@${id}>` : 'the catalog');

/** Slack date formatting: shown in each reader's own time zone. */
export function slackDate(d: Date, format = '{date_short_pretty} {time}'): string {
  const epoch = Math.floor(d.getTime() / 1000);
  return `<!date^${epoch}^${format}|${d.toISOString().replace('T', ' ').slice(0, 16)} UTC>`;
}
