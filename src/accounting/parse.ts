import { UserError } from '../errors.ts';
import { mentionedUser } from '../commands.ts';
import { DAYS, defaultSchedule, type Cadence, type DigestSchedule } from './digest-schedule.ts';
import { ANY_REGION } from './money.ts';
import { compareLocalDates, dateRange, dayOf, isTimeZone, monthOf, parseLocalDate, previousPeriod, weekOf, type Period } from './periods.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';

/**
 * Words of `/demo usage`, `/demo digest` and `/demo admin price`. Slack sends mentions escaped
 * (`<@U123|name>`, `<#C123|name>`), so an escaped token is one word whatever it contains.
 */

export function tokens(rest: string): string[] {
  return rest.match(/<[^>]*>|\S+/g) ?? [];
}

const CHANNEL_MENTION = /^<#([CG][A-Z0-9_]+)(?:\|[^>]*)?>$/;

export type Subject = { kind: 'me' } | { kind: 'all' } | { kind: 'user'; userId: string };

export interface UsageArgs {
  subject: Subject;
  period: Period;
}

const PERIOD_HELP = '`this week` (the default), `last week`, `this month`, `last month`, `today`, `yesterday`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`';
export const USAGE_USAGE = '/demo usage [@user|me|all] [this week|last week|this month|last month|YYYY-MM-DD..YYYY-MM-DD]';
const MAX_RANGE_DAYS = 366;

export function parseUsageArgs(rest: string, now: Date, timeZone: string): UsageArgs {
  let subject: Subject = { kind: 'me' };
  const periodWords: string[] = [];
  for (const word of tokens(rest)) {
    const mentioned = mentionedUser(word);
    const lower = word.toLowerCase();
    if (mentioned) subject = { kind: 'user', userId: mentioned };
    else if (lower === 'me' || lower === 'mine') subject = { kind: 'me' };
    else if (lower === 'all' || lower === 'everyone') subject = { kind: 'all' };
    else if (word.startsWith('@') || word.startsWith('<@')) {
      throw new UserError(
        `I don't know who \`${escapeMrkdwn(word)}\` is (no one I have met goes by that name). Pick the person from Slack's autocomplete after typing @, so the command carries their ID.`,
      );
    } else periodWords.push(lower);
  }
  return { subject, period: parsePeriod(periodWords.join(' '), now, timeZone) };
}

export function parsePeriod(text: string, now: Date, timeZone: string): Period {
  switch (text.trim().replace(/\s+/g, ' ')) {
    case '':
    case 'this week':
    case 'week':
      return weekOf(now, timeZone);
    case 'last week':
    case 'previous week':
      return previousPeriod(weekOf(now, timeZone));
    case 'this month':
    case 'month':
      return monthOf(now, timeZone);
    case 'last month':
    case 'previous month':
      return previousPeriod(monthOf(now, timeZone));
    case 'today':
      return dayOf(now, timeZone);
    case 'yesterday':
      return previousPeriod(dayOf(now, timeZone));
  }
  const m = /^(\S+?)(?:\s*(?:\.\.|–|—|to)\s*(\S+))?$/.exec(text.trim());
  const first = m ? parseLocalDate(m[1]!) : null;
  const last = m?.[2] !== undefined ? parseLocalDate(m[2]) : first;
  if (!m || !first || !last) throw new UserError(`I don't understand the period \`${escapeMrkdwn(text.slice(0, 60))}\`. Try ${PERIOD_HELP}.`);
  if (compareLocalDates(first, last) > 0) throw new UserError(`The period ends before it starts (\`${escapeMrkdwn(text)}\`). Put the earlier date first.`);
  const period = dateRange(first, last, timeZone);
  if (period.end.getTime() - period.start.getTime() > MAX_RANGE_DAYS * 86_400_000)
    throw new UserError(`That is more than ${MAX_RANGE_DAYS} days; ask for a year at most.`);
  if (first.year < 2000) throw new UserError('That is before any demo VM ran; pick a later date.');
  return period;
}

// ---- /demo digest subscribe ----------------------------------------------------------------------

export function parseChannel(word: string | undefined): string {
  const m = word ? CHANNEL_MENTION.exec(word) : null;
  if (m) return m[1]!;
  if (word && /^[CG][A-Z0-9_]{2,}$/.test(word)) return word;
  throw new UserError(
    word?.startsWith('#')
      ? `I found no public channel called \`${escapeMrkdwn(word)}\`. Pick it from Slack's autocomplete after typing # (a private one too), so the command carries its ID.`
      : 'Say which channel, picked from the autocomplete after typing #: `/demo digest subscribe #channel [weekly|daily] [mon 09:00] [Area/City]`.',
  );
}

export const SUBSCRIBE_USAGE = '/demo digest subscribe #channel [weekly|daily] [mon 09:00] [Area/City]';

export function parseSubscribeArgs(words: string[], defaultTimeZone: string): { channelId: string; schedule: DigestSchedule } {
  const [channelWord, ...rest] = words;
  const channelId = parseChannel(channelWord);
  let cadence: Cadence | undefined;
  let weekday: number | undefined;
  let time: { hour: number; minute: number } | undefined;
  let timeZone: string | undefined;
  for (const word of rest) {
    const lower = word.toLowerCase();
    const day = DAYS.findIndex((d) => lower === d || (lower.length >= 3 && `${d}${dayTail(d)}`.startsWith(lower)));
    const clock = /^(\d{1,2}):(\d{2})$/.exec(lower);
    if (lower === 'weekly' || lower === 'daily') cadence = lower;
    else if (day >= 0) weekday = day;
    else if (clock) {
      const [hour, minute] = [Number(clock[1]), Number(clock[2])];
      if (hour > 23 || minute > 59) throw new UserError(`\`${escapeMrkdwn(word)}\` is not a time of day; use 24-hour HH:MM, e.g. 09:00.`);
      time = { hour, minute };
    } else if (isTimeZone(word)) timeZone = word;
    else if (word.includes('/'))
      throw new UserError(`\`${escapeMrkdwn(word)}\` is not a time zone I know. Use an IANA name such as Europe/Paris or America/New_York.`);
    else throw new UserError(`I don't understand \`${escapeMrkdwn(word)}\`. Usage: \`${SUBSCRIBE_USAGE}\`.`);
  }
  if (cadence === 'daily' && weekday !== undefined) throw new UserError('A daily digest goes out every day; leave out the weekday, or say `weekly`.');
  const d = defaultSchedule(timeZone ?? defaultTimeZone);
  return {
    channelId,
    schedule: { ...d, cadence: cadence ?? d.cadence, weekday: weekday ?? d.weekday, hour: time?.hour ?? d.hour, minute: time?.minute ?? d.minute },
  };
}

function dayTail(d: (typeof DAYS)[number]): string {
  return { sun: 'day', mon: 'day', tue: 'sday', wed: 'nesday', thu: 'rsday', fri: 'day', sat: 'urday' }[d];
}

// ---- /demo admin price ----------------------------------------------------------------------------

export const PRICE_USAGE = '/demo admin price <machine-type> <region|*> <usd-per-hour>';

export const DISCOUNT_USAGE = '/demo admin discount <percent off list prices> | off';

/** `15` or `15%` → 0.85; `off` or `0` → 1. */
export function parseDiscountArgs(words: string[]): number {
  const [word = ''] = words;
  if (words.length === 1 && /^(off|none)$/i.test(word)) return 1;
  const m = words.length === 1 ? /^(\d{1,2}(?:\.\d{1,2})?)%?$/.exec(word) : null;
  if (!m) throw new UserError(`Usage: \`${DISCOUNT_USAGE}\`, e.g. \`/demo admin discount 15\` for a negotiated 15% off list prices.`);
  return 1 - Number(m[1]) / 100;
}

export function parsePriceArgs(words: string[]): { machineType: string; region: string; hourlyPrice: number } {
  if (words.length !== 3)
    throw new UserError(`Usage: \`${PRICE_USAGE}\`, e.g. \`/demo admin price e2-standard-2 us-central1 0.067\`. \`*\` sets the price for regions without one.`);
  const [type = '', region = '', price = ''] = words.map((w) => w.toLowerCase());
  if (!/^[a-z][a-z0-9-]{1,62}$/.test(type)) throw new UserError(`\`${escapeMrkdwn(type)}\` is not a machine type name (like e2-standard-2).`);
  const normalRegion = region === 'any' || region === 'default' ? ANY_REGION : region;
  if (normalRegion !== ANY_REGION && !/^[a-z]+-[a-z]+\d+$/.test(normalRegion)) {
    throw new UserError(`\`${escapeMrkdwn(region)}\` is not a region (like us-central1 — a region, not a zone), or \`*\` for all others.`);
  }
  const m = /^\$?(\d{1,4}(?:\.\d{1,6})?)$/.exec(price);
  const hourlyPrice = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(hourlyPrice) || hourlyPrice > 1000)
    throw new UserError(`\`${escapeMrkdwn(price)}\` is not a price in USD per hour (e.g. 0.067, at most 6 decimals, at most 1000).`);
  return { machineType: type, region: normalRegion, hourlyPrice };
}
