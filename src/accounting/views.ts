import type { KnownBlock } from '@slack/types';
import { context, divider, escapeMrkdwn, header, section, slackDate } from '../platform/blocks.ts';
import { describeSchedule, nextFire } from './digest-schedule.ts';
import type { Subscription } from './digest-store.ts';
import { ANY_REGION, formatHours, formatMoney, hoursAndCost, poolLine, priceBasis } from './money.ts';
import { describePeriod } from './periods.ts';
import { savingsBlocks } from './digest-views.ts';
import type { UsageReport } from './service.ts';
import { REPORT_ROWS } from './service.ts';
import type { Price } from './store.ts';

/** Block Kit for the accounting commands: pure functions of their data. */

function sinceHours(since: Date, now: Date): string {
  return formatHours(Math.max(0, now.getTime() - since.getTime()) / 3_600_000);
}

export function usageReportMessage(r: UsageReport): { text: string; blocks: KnownBlock[] } {
  const whose = r.subjectUserId ? `<@${r.subjectUserId}>` : 'Everyone';
  const when = `${describePeriod(r.period)} (${r.period.timeZone})`;
  const blocks: KnownBlock[] = [
    header(`Demo VM usage · ${describePeriod(r.period)}`),
    section(`*${whose}*: ${hoursAndCost(r.total)}\n_${when}; a VM still running counts up to now._`),
  ];
  if (!r.subjectUserId && r.users.length) {
    const lines = r.users.slice(0, REPORT_ROWS).map((u, i) => `${i + 1}. <@${u.userId}> — ${hoursAndCost(u)}`);
    const more = r.users.length - REPORT_ROWS;
    blocks.push(section(`*Per person*\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`));
  }
  if (r.images.length) blocks.push(section(`*Per image*\n${r.images.map((i) => `• ${escapeMrkdwn(i.title)} — ${hoursAndCost(i)}`).join('\n')}`));
  if (r.total.hours === 0) blocks.push(context('No VM time in this period.'));
  blocks.push(...savingsBlocks(r.suspended, REPORT_ROWS));
  if (r.pool) blocks.push(context(poolLine(r.pool)));
  blocks.push(divider());
  if (r.running.count === 0) {
    blocks.push(context(`Nothing ${r.subjectUserId ? 'of theirs ' : ''}is running right now.`));
  } else {
    const lines = r.running.demos.map(
      (d) =>
        `• ${r.subjectUserId ? '' : `<@${d.userId}> · `}${escapeMrkdwn(d.imageTitle)} · \`${d.demoName}\` · ${d.machineType} · up ${sinceHours(d.since, r.now)} (since ${slackDate(d.since)})`,
    );
    const more = r.running.count - r.running.demos.length;
    blocks.push(section(`*Running now* (${r.running.count})\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`));
  }
  blocks.push(context(`Costs use on-demand ${priceBasis(r.discount)} per machine type and region; see \`/demo usage help\`.`));
  const text = `Demo VM usage, ${when}: ${whose === 'Everyone' ? 'everyone' : whose} — ${hoursAndCost(r.total)}. ${r.running.count} running now.`;
  return { text, blocks };
}

export function usageHelp(usage: string): string {
  return [
    `\`${usage}\``,
    '• Who: `me` (the default), `@someone` (approvers and admins), or `all`.',
    '• When: `this week` (the default), `last week`, `this month`, `last month`, `today`, `yesterday`, `2026-03-01` or `2026-03-01..2026-03-31`. Weeks start on Monday in the org time zone.',
    '• Hours come from the time each VM was running; cost is hours × the list price of its machine type in its region.',
  ].join('\n');
}

/** `USD 0.067011/h`, or an override saying so: `USD 0.10/h (override by @ann; catalog USD 0.067011)`. */
function priceNote(p: Price): string {
  const price = `${formatMoney(p.hourlyPrice, p.currency)}/h`;
  if (p.source !== 'override') return price;
  const catalog = p.catalogPrice === null ? 'no catalog price' : `catalog ${formatMoney(p.catalogPrice, p.currency)}`;
  return `${price} (override by ${p.updatedBy ? `<@${p.updatedBy}>` : 'an admin'}; ${catalog})`;
}

export function pricesMessage(prices: Price[], machineType?: string): { text: string; blocks: KnownBlock[] } {
  if (prices.length === 0) {
    const text = machineType ? `No price for \`${escapeMrkdwn(machineType)}\` yet: its hours show as "price unknown".` : 'No prices yet.';
    return { text, blocks: [section(text)] };
  }
  const byType = new Map<string, Price[]>();
  for (const p of prices) byType.set(p.machineType, [...(byType.get(p.machineType) ?? []), p]);
  const lines = [...byType].map(
    ([type, ps]) => `*${type}*: ${ps.map((p) => `${p.region === ANY_REGION ? 'other regions' : p.region} ${priceNote(p)}`).join(' · ')}`,
  );
  const chunks: string[] = [];
  for (const line of lines) {
    if (chunks.length && `${chunks.at(-1)}\n${line}`.length <= 2900) chunks[chunks.length - 1] += `\n${line}`;
    else chunks.push(line);
  }
  return {
    text: `Hourly prices for ${byType.size} machine type(s)`,
    blocks: [
      ...chunks.slice(0, 45).map((c) => section(c)),
      context('Prices come from the Cloud Billing Catalog daily; an override (`/demo admin price <machine-type> <region|*> <usd-per-hour>`) wins over it.'),
    ],
  };
}

export function subscriptionsMessage(subs: Subscription[], lastSent: Map<string, Date>, now: Date): { text: string; blocks: KnownBlock[] } {
  if (subs.length === 0) {
    return {
      text: 'No channel gets the usage digest.',
      blocks: [section('No channel gets the usage digest yet. `/demo digest subscribe #channel` starts one (weekly, Mondays 09:00 by default).')],
    };
  }
  const lines = subs.map((s) => {
    const sent = lastSent.get(s.id);
    return `• <#${s.channelId}> — ${describeSchedule(s.schedule)} · next ${slackDate(nextFire(s.schedule, now))}${sent ? ` · last sent ${slackDate(sent)}` : ''}`;
  });
  return { text: `${subs.length} channel(s) get the usage digest.`, blocks: [section(`*Usage digests*\n${lines.slice(0, 40).join('\n')}`)] };
}
