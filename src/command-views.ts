import type { KnownBlock } from '@slack/types';
import { button, context, escapeMrkdwn, section, truncate } from './platform/blocks.ts';

/** Block Kit of the /demo router's own answers (help, typos, "Did you mean…?"), as pure functions. */

/** A button that runs a /demo command as if typed (its value is the command text); numbered, as action ids must differ within a block. */
export const RERUN_ACTION = 'commands.rerun';
const rerunButton = (label: string, command: string, i: number, primary = false) =>
  button(label, `${RERUN_ACTION}.${i}`, command, primary ? { style: 'primary' } : {});

export const MAX_CHOICES = 5;

export function choicesMessage(
  query: string,
  matches: ReadonlyArray<{ id: string; name: string; title: string }>,
  opts: { what: string; rerun: (id: string) => string; browse: string },
): { text: string; blocks: KnownBlock[] } {
  const asked = `\`${escapeMrkdwn(truncate(query.trim(), 80))}\``;
  const browse = rerunButton('Browse', opts.browse, MAX_CHOICES);
  if (matches.length === 0) {
    const text = query.trim()
      ? `I understood ${opts.what} ${asked}, but found none of that name that you can use.`
      : `Say which ${opts.what}, or pick one with Browse.`;
    return { text, blocks: [section(text), { type: 'actions', elements: [browse] }] };
  }
  const shown = matches.slice(0, MAX_CHOICES);
  const more = matches.length > shown.length ? ` (${matches.length} match; here are ${shown.length})` : '';
  const text = query.trim() ? `Did you mean one of these for ${asked}?${more}` : `Which ${opts.what}?${more}`;
  const lines = shown.map((m) => `• *${escapeMrkdwn(truncate(m.title, 80))}* · \`${m.name}\``);
  return {
    text,
    blocks: [
      section(`${text}\n${lines.join('\n')}`),
      { type: 'actions', elements: [...shown.map((m, i) => rerunButton(truncate(m.name, 75), opts.rerun(m.id), i)), browse] },
    ],
  };
}

/** `/demo frobnicate`: the nearest subcommands, short, with a Help button. */
export function typoMessage(word: string, suggestions: string[]): { text: string; blocks: KnownBlock[] } {
  const text = `I don't know \`/demo ${escapeMrkdwn(truncate(word, 40))}\`. Did you mean ${suggestions.map((s) => `\`/demo ${s}\``).join(', ')}?`;
  return { text, blocks: [section(text), { type: 'actions', elements: [rerunButton('Help', 'help', 0)] }] };
}

/** `/demo help`: what most people do first, then buttons for the rest (and the admin commands). */
export function helpMessage(lines: string[], opts: { more: boolean; isAdmin: boolean; title: string }): { text: string; blocks: KnownBlock[] } {
  const text = `${opts.title}\n${lines.join('\n')}`;
  const buttons = [...(opts.more ? [rerunButton('All commands', 'help all', 0)] : []), ...(opts.isAdmin ? [rerunButton('Admin', 'help admin', 1)] : [])];
  return {
    text,
    blocks: [
      section(truncate(text, 3000)),
      ...(buttons.length ? [{ type: 'actions' as const, elements: buttons }] : []),
      context("Tip: the app's Home tab lists your demos and saved images."),
    ],
  };
}
