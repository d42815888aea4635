import type { KnownBlock } from '@slack/types';
import { context, divider, escapeMrkdwn, header, section, slackDate } from '../platform/blocks.ts';
import type { DigestData, DigestUser } from './digest-data.ts';
import { change, formatHours, formatMoney, hoursAndCost, keptRunningLine, poolLine, priceBasis, suspendedLine } from './money.ts';
import type { SuspendedUsage } from './suspended-usage.ts';
import { describePeriod, localDateString } from './periods.ts';
import { RECONCILE_MINUTES } from './ledger.ts';

/** The digest message and its CSV: pure functions of the digest's data. */

/** People listed in the message; everyone is in the CSV. */
export const TOP_USERS = 20;
const PER_SECTION = 10;

export interface DigestRender {
  late: boolean;
  /** The chart, uploaded without a channel; shown with an image block. */
  chartFileId?: string;
  /** Set when the table is too long for the message and goes into the thread as CSV. */
  csvFilename?: string;
}

export function digestTitle(d: DigestData): string {
  return `Demo VM usage · ${describePeriod(d.period)}`;
}

function userLine(u: DigestUser, rank: number): string {
  return `${rank}. <@${u.userId}> — ${hoursAndCost(u)} · ${change(u.hours, u.prevHours)}`;
}

export function digestMessage(d: DigestData, r: DigestRender): { text: string; blocks: KnownBlock[] } {
  const active = d.users.filter((u) => u.hours > 0);
  // Nothing ran: one line, not an empty chart and a table of zeros.
  if (active.length === 0) {
    const line = `:zzz: *${digestTitle(d)}*: no demo VM ran${d.period.kind === 'day' ? ' that day' : ' that week'}.${r.late ? ' _(posted late)_' : ''}`;
    return {
      text: `${digestTitle(d)}: no demo VM ran.`,
      blocks: [section(line), ...savingsBlocks(d.suspended, TOP_USERS), ...(d.pool.vms ? [context(poolLine(d.pool))] : [])],
    };
  }
  const before = d.period.kind === 'day' ? 'the day before' : 'the week before';
  const totalLine = `*${hoursAndCost(d.total)}* across ${active.length} ${active.length === 1 ? 'person' : 'people'} · ${change(d.total.hours, d.total.prevHours)} against ${before}`;
  const blocks: KnownBlock[] = [
    header(digestTitle(d)),
    section(
      `${totalLine}\n_${describePeriod(d.period)}, ${d.period.timeZone}. Previous: ${formatHours(d.total.prevHours)}, ${formatMoney(d.total.prevCost)}._`,
    ),
  ];
  if (r.late) blocks.push(context(':hourglass: Posted late: the app was not running at the scheduled time.'));
  if (r.chartFileId && active.length)
    blocks.push({ type: 'image', slack_file: { id: r.chartFileId }, alt_text: `Bar chart of VM hours per person, ${describePeriod(d.period)}` });

  blocks.push(divider(), section('*Per person*'));
  const shown = active.slice(0, TOP_USERS);
  for (let i = 0; i < shown.length; i += PER_SECTION) {
    blocks.push(
      section(
        shown
          .slice(i, i + PER_SECTION)
          .map((u, j) => userLine(u, i + j + 1))
          .join('\n'),
      ),
    );
  }
  const hidden = active.length - shown.length;
  if (hidden > 0) blocks.push(context(`…and ${hidden} more.${r.csvFilename ? ` The full table is in the thread: \`${r.csvFilename}\`.` : ''}`));

  if (d.topImages.length) {
    blocks.push(section(`*Top images*\n${d.topImages.map((i) => `• ${escapeMrkdwn(i.title)} — ${hoursAndCost(i)}`).join('\n')}`));
  }
  blocks.push(...savingsBlocks(d.suspended, TOP_USERS));
  const running = d.running;
  if (running.count === 0) {
    blocks.push(context('No demo VM is running right now.'));
  } else {
    const lines = running.demos.map(
      (x) => `• <@${x.userId}> · ${escapeMrkdwn(x.imageTitle)} · \`${x.demoName}\` · ${x.machineType} · since ${slackDate(x.since)}`,
    );
    const more = running.count - running.demos.length;
    blocks.push(section(`*Still running now* (${running.count})\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`));
  }
  if (d.pool.vms) blocks.push(context(poolLine(d.pool)));
  if (d.estimated.count) blocks.push(context(estimatedNote(d.estimated)));
  blocks.push(context(`Costs are Google Cloud on-demand ${priceBasis(d.discount)}, per machine type and region.`));
  const text = `${digestTitle(d)}: ${hoursAndCost(d.total)} across ${active.length} people; ${running.count} VM(s) running now.`;
  return { text, blocks };
}

/**
 * What auto-suspend saved (a total line, then the `limit` people with most suspended hours) and the
 * idle hours Keep running presses kept running, named: at most two blocks, nothing when neither happened.
 */
export function savingsBlocks(s: SuspendedUsage, limit: number): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (s.total.hours > 0) {
    const people = [...s.byUser].sort(([a, x], [b, y]) => y.hours - x.hours || (a < b ? -1 : 1));
    const lines = people.slice(0, limit).map(([userId, f]) => `• <@${userId}> — ${suspendedLine(f)}`);
    const more = people.length > limit ? `\n…and ${people.length - limit} more` : '';
    blocks.push(section(`*Auto-suspend*: ${suspendedLine(s.total)} in all\n${lines.join('\n')}${more}`));
  }
  if (s.kept.length) blocks.push(context(`:hourglass_flowing_sand: ${keptRunningLine(s.kept, s.keptHours)}`));
  return blocks;
}

/** Which hours are a guess: a VM deleted outside the app has no stop time in GCE. */
export function estimatedNote(e: DigestData['estimated']): string {
  const one = e.count === 1;
  const list = e.intervals.map((i) => `\`${i.demoName}\` (<@${i.userId}>, ${formatHours(i.hours)})`).join(', ');
  const more = e.count > e.intervals.length ? ` and ${e.count - e.intervals.length} more` : '';
  return (
    `:grey_question: ${e.count} ${one ? 'interval' : 'intervals'} (${formatHours(e.hours)}) ${one ? 'is' : 'are'} estimated: ` +
    `deleted outside the app, so charged until last seen running plus at most ${RECONCILE_MINUTES} minutes — ${list}${more}.`
  );
}

function csvCell(v: string | number): string {
  const s = String(v);
  // Quote what needs it; neutralise formulas when opened in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function digestCsv(d: DigestData): string {
  const head = ['user_id', 'hours', 'cost_usd', 'hours_without_price', 'previous_hours', 'previous_cost_usd'];
  const rows = d.users.map((u) => [u.userId, u.hours.toFixed(2), u.cost.toFixed(2), u.unpricedHours.toFixed(2), u.prevHours.toFixed(2), u.prevCost.toFixed(2)]);
  return `${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function csvFilename(d: DigestData): string {
  return `demo-vm-usage-${localDateString(d.period.start, d.period.timeZone)}.csv`;
}
