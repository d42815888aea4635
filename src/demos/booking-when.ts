import { TZDate } from '@date-fns/tz';

/**
 * `/demo book <image> <when>`: the time phrases people type, read in their own time zone (Slack's
 * users.info `tz`). Pure: the instant for `text` said at `now` by someone in `timeZone`, or why not.
 *
 *   in 2h · in 45m · in 1h30m · in 90 minutes          from now
 *   today 17:30 · tomorrow 9:00 · tomorrow 9am          that day, at that time
 *   mon 14:30 · friday 2:30pm                           the next such day (today if the time is still ahead)
 *   9:00 · 2:30pm                                       the next such time (today, else tomorrow)
 *   2026-12-08 09:00 · 2026-12-08T09:00                 that date and time
 */

export type When = { at: Date } | { error: string };

export const WHEN_EXAMPLES = '`tomorrow 9:00`, `today 17:30`, `in 2h`, `in 1h30m`, `mon 14:30`, `fri 2:30pm` or `2026-12-08 09:00`';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FULL_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `mon`, `tues`, `thursday`… → 0–6 (Sunday 0), else -1: at least three letters of the day's name. */
const weekdayOf = (word: string) => (word.length >= 3 ? FULL_DAYS.findIndex((full, i) => full.startsWith(word) && word.startsWith(DAYS[i]!)) : -1);

/** `9:00`, `09:00`, `9am`, `2:30pm`, `14h30`; a bare hour only after a day word (`tomorrow 9`). */
function clockTime(s: string, bareHourOk: boolean): { h: number; m: number } | null {
  const match = /^(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/.exec(s);
  if (!match) return null;
  const [, hh, mm, half] = match;
  if (mm === undefined && !half && !bareHourOk) return null;
  let h = Number(hh);
  const m = Number(mm ?? 0);
  if (m > 59) return null;
  if (half) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (half.startsWith('p') ? 12 : 0);
  }
  return h > 23 ? null : { h, m };
}

/** `2h`, `45m`, `1h30m`, `90 minutes`, `2 hours`, `1 hour 30 min` → minutes. */
function duration(s: string): number | null {
  const unit = /(\d+(?:\.\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?)(?![a-z])/g;
  const parts = [...s.matchAll(unit)];
  if (
    !parts.length ||
    s
      .replace(unit, '')
      .replace(/\band\b/g, '')
      .trim() !== ''
  )
    return null;
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * (u!.startsWith('h') ? 60 : 1), 0);
}

/** The instant of a wall-clock time in `timeZone` (TZDate normalises day overflow and DST gaps). */
function at(timeZone: string, y: number, mo: number, d: number, h: number, mi: number): Date {
  return new Date(new TZDate(y, mo, d, h, mi, 0, timeZone).getTime());
}

export function parseWhen(text: string, now: Date, timeZone: string): When {
  const s = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!s) return { error: `Say when it should be ready, e.g. ${WHEN_EXAMPLES}.` };
  if (s === 'now') return { at: now };
  const local = new TZDate(now.getTime(), timeZone);
  const [y, mo, d, dow] = [local.getFullYear(), local.getMonth(), local.getDate(), local.getDay()];

  const inMatch = /^in (.+)$/.exec(s);
  if (inMatch) {
    const minutes = duration(inMatch[1]!);
    return minutes === null
      ? { error: `I could not read \`${text}\` as a time from now: try \`in 2h\`, \`in 45m\` or \`in 1h30m\`.` }
      : { at: new Date(now.getTime() + minutes * 60_000) };
  }

  const iso = /^(\d{4})-(\d{2})-(\d{2})[ t](.+)$/.exec(s);
  if (iso) {
    const t = clockTime(iso[4]!, true);
    const [yy, mm, dd] = [Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])];
    if (!t || mm > 11 || dd < 1 || dd > 31) return { error: `I could not read \`${text}\` as a date and time: try \`2026-12-08 09:00\`.` };
    return { at: at(timeZone, yy, mm, dd, t.h, t.m) };
  }

  const [first = '', ...rest] = s.split(' ');
  const restText = rest.join(' ');
  const day = first === 'today' ? 0 : first === 'tomorrow' || first === 'tmrw' ? 1 : null;
  const weekday = weekdayOf(first);
  if (day !== null || weekday >= 0) {
    const t = clockTime(restText, true);
    if (!t) return { error: `What time ${first}? e.g. \`${first} 9:00\` or \`${first} 2:30pm\`.` };
    if (day !== null) return { at: at(timeZone, y, mo, d + day, t.h, t.m) };
    let ahead = (weekday - dow + 7) % 7;
    if (ahead === 0 && at(timeZone, y, mo, d, t.h, t.m) <= now) ahead = 7;
    return { at: at(timeZone, y, mo, d + ahead, t.h, t.m) };
  }

  const t = clockTime(s, false);
  if (t) {
    const today = at(timeZone, y, mo, d, t.h, t.m);
    return { at: today > now ? today : at(timeZone, y, mo, d + 1, t.h, t.m) };
  }
  return { error: `I could not read \`${text}\` as a time. Try ${WHEN_EXAMPLES}.` };
}

/** `Tue 8 Dec 09:00 Europe/Berlin`: the instant as the user's zone reads it (beside Slack's own localised date). */
export function inZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('hour')}:${part('minute')} ${timeZone}`;
}
