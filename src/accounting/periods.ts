import { TZDate } from '@date-fns/tz';
// One module per function: the 'date-fns' index loads all ~250 of them (about 2 s and 100+ MB at start).
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { addWeeks } from 'date-fns/addWeeks';
import { startOfDay } from 'date-fns/startOfDay';
import { startOfMonth } from 'date-fns/startOfMonth';
import { startOfWeek } from 'date-fns/startOfWeek';

/**
 * Reporting periods as instants, cut at local midnights of a time zone. Arithmetic runs on TZDate, so
 * a week that contains a DST change is 167 or 169 hours long, as the wall clock says.
 */

export type PeriodKind = 'day' | 'week' | 'month' | 'range';

export interface Period {
  kind: PeriodKind;
  /** [start, end) */
  start: Date;
  end: Date;
  timeZone: string;
}

const plain = (d: Date) => new Date(d.getTime());
const local = (at: Date, timeZone: string) => new TZDate(at.getTime(), timeZone);

export function dayOf(at: Date, timeZone: string): Period {
  const start = startOfDay(local(at, timeZone));
  return { kind: 'day', start: plain(start), end: plain(addDays(start, 1)), timeZone };
}

/** Weeks start on Monday. */
export function weekOf(at: Date, timeZone: string): Period {
  const start = startOfWeek(local(at, timeZone), { weekStartsOn: 1 });
  return { kind: 'week', start: plain(start), end: plain(addWeeks(start, 1)), timeZone };
}

export function monthOf(at: Date, timeZone: string): Period {
  const start = startOfMonth(local(at, timeZone));
  return { kind: 'month', start: plain(start), end: plain(addMonths(start, 1)), timeZone };
}

/** From local midnight of `first` to local midnight after `last` (both YYYY-MM-DD, inclusive). */
export function dateRange(first: LocalDate, last: LocalDate, timeZone: string): Period {
  const start = new TZDate(first.year, first.month - 1, first.day, timeZone);
  const end = new TZDate(last.year, last.month - 1, last.day + 1, timeZone);
  return { kind: 'range', start: plain(start), end: plain(end), timeZone };
}

/** The day or week (as `p` is) that contains `at`, in p's zone. */
export function sameKindAt(p: Period, at: Date): Period {
  return p.kind === 'day' ? dayOf(at, p.timeZone) : weekOf(at, p.timeZone);
}

/** The period just before: the previous day/week/month, or a range of the same length of days. */
export function previousPeriod(p: Period): Period {
  const start = local(p.start, p.timeZone);
  switch (p.kind) {
    case 'day':
      return { ...p, start: plain(addDays(start, -1)), end: p.start };
    case 'week':
      return { ...p, start: plain(addWeeks(start, -1)), end: p.start };
    case 'month':
      return { ...p, start: plain(addMonths(start, -1)), end: p.start };
    case 'range': {
      const days = Math.round((p.end.getTime() - p.start.getTime()) / 86_400_000);
      return { ...p, start: plain(addDays(start, -days)), end: p.start };
    }
  }
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A real calendar date in YYYY-MM-DD, or null. */
export function parseLocalDate(s: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** "Mon 2 Mar – Sun 8 Mar 2026" in the period's zone (the end shown is the last day included). */
export function describePeriod(p: Period): string {
  const fmt = (d: Date, withYear: boolean) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: p.timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
        .formatToParts(d)
        .map((x) => [x.type, x.value]),
    );
    return `${parts.weekday} ${parts.day} ${parts.month}${withYear ? ` ${parts.year}` : ''}`;
  };
  const lastDay = new Date(p.end.getTime() - 1);
  if (p.kind === 'day') return fmt(p.start, true);
  if (p.kind === 'month') return new Intl.DateTimeFormat('en-GB', { timeZone: p.timeZone, month: 'long', year: 'numeric' }).format(p.start);
  return `${fmt(p.start, false)} – ${fmt(lastDay, true)}`;
}

/** YYYY-MM-DD of an instant in a zone (for file names). */
export function localDateString(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Whether a time zone name is one Intl knows (IANA, e.g. Europe/Paris). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}
