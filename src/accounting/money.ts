/** Hours and money as people read them, and the fallback pricing region. */

import { escapeMrkdwn } from '../platform/blocks.ts';

export { ANY_REGION } from '../prices/rules.ts';
export const CURRENCY = 'USD';

/** What costs are: "list prices", or "list prices less a 15% discount" when an admin set one. */
export function priceBasis(discount: number): string {
  return discount < 1 ? `list prices less a ${+((1 - discount) * 100).toFixed(2)}% discount` : 'list prices';
}

export function formatHours(hours: number): string {
  return `${hours.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} h`;
}

export function formatMoney(amount: number, currency = CURRENCY, decimals?: number): string {
  const digits = decimals === undefined ? {} : { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'code', ...digits }).format(amount).replace(/\u00a0/g, ' ');
}

/** An hourly rate: `USD 0.067` (three decimals: cents hide the difference between small machines). */
export function formatRate(amount: number): string {
  return formatMoney(amount, CURRENCY, 3);
}

/** "12.5 h · USD 3.40", "12.5 h · price unknown", or both when only part of it has a price. */
export function hoursAndCost(v: { hours: number; cost: number; unpricedHours: number }): string {
  const h = formatHours(v.hours);
  if (v.hours === 0) return h;
  if (v.unpricedHours >= v.hours - 1e-9) return `${h} · price unknown`;
  const cost = formatMoney(v.cost);
  return v.unpricedHours > 0.05 ? `${h} · ${cost} (+${formatHours(v.unpricedHours)} without a price)` : `${h} · ${cost}`;
}

/** "+3.0 h (+25%)", "−1.5 h", "new" — change against the previous period. */
export function change(current: number, previous: number): string {
  const diff = current - previous;
  if (Math.abs(diff) < 0.05) return 'no change';
  if (previous < 0.05) return 'new';
  const sign = diff > 0 ? '+' : '−';
  return `${sign}${formatHours(Math.abs(diff))} (${sign}${Math.round((Math.abs(diff) / previous) * 100)}%)`;
}

/** The warm pool's line: "Warm pool: 12.0 h running while warming, 310.0 GB-days suspended · USD 4.10 (nobody's)". */
export function poolLine(p: { runningHours: number; suspendedGbDays: number; cost: number; costKnown: boolean }): string {
  const gbDays = p.suspendedGbDays.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const cost = p.costKnown ? formatMoney(p.cost) : `${formatMoney(p.cost)} + price unknown`;
  return `:zap: Warm pool: ${formatHours(p.runningHours)} running while warming, ${gbDays} GB-days suspended · ${cost} (the pool's own, charged to nobody)`;
}

/** "Suspended 12.5 h instead of running · saved USD 3.10" (suspended storage already taken off). */
export function suspendedLine(s: { hours: number; saved: number; costKnown: boolean }): string {
  const saved = s.costKnown ? `saved ${formatMoney(s.saved)}` : `saved ${formatMoney(s.saved)} + price unknown`;
  return `Suspended ${formatHours(s.hours)} instead of running · ${saved}`;
}

/**
 * "Idle but kept running: 2.0 h — Keep running pressed by @bob (Acme CRM)"; each press named, with
 * whose demo when someone else pressed it, and its hours when there are several.
 */
export function keptRunningLine(kept: Array<{ userId: string; ownerId: string; title: string; hours: number }>, total: number, shown = 10): string {
  const several = kept.length > 1;
  const names = kept.slice(0, shown).map((k) => {
    const demo = k.ownerId === k.userId ? escapeMrkdwn(k.title) : `<@${k.ownerId}>'s ${escapeMrkdwn(k.title)}`;
    return `<@${k.userId}> (${demo}${several ? `, ${formatHours(k.hours)}` : ''})`;
  });
  const more = kept.length > shown ? ` and ${kept.length - shown} more` : '';
  return `Idle but kept running: ${formatHours(total)} — Keep running pressed by ${names.join(', ')}${more}`;
}
