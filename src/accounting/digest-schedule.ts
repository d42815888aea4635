import { TZDate } from '@date-fns/tz';
import { dayOf, previousPeriod, weekOf, type Period } from './periods.ts';

/**
 * When a digest subscription fires and which period each firing reports: a weekly digest reports the
 * previous full week (Monday to Monday) in its zone, a daily one the previous day. Pure, so the cron
 * task, the catch-up after downtime and the tests agree on every period.
 */

export type Cadence = 'weekly' | 'daily';

export interface DigestSchedule {
  cadence: Cadence;
  /** 0 = Sunday … 6 = Saturday (cron's numbering); ignored for daily digests. */
  weekday: number;
  hour: number;
  minute: number;
  timeZone: string;
}

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_NAMES = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];

/** What `/demo digest subscribe #channel` means without a schedule: Mondays at 09:00. */
export function defaultSchedule(timeZone: string): DigestSchedule {
  return { cadence: 'weekly', weekday: 1, hour: 9, minute: 0, timeZone };
}

export function toCron(s: DigestSchedule): string {
  return `${s.minute} ${s.hour} * * ${s.cadence === 'weekly' ? s.weekday : '*'}`;
}

/** The inverse of toCron, for rows written by it. */
export function fromCron(cron: string, cadence: Cadence, timeZone: string): DigestSchedule {
  const [minute = '0', hour = '9', , , dow = '1'] = cron.trim().split(/\s+/);
  return { cadence, weekday: cadence === 'weekly' ? Number(dow) % 7 : 1, hour: Number(hour), minute: Number(minute), timeZone };
}

export function describeSchedule(s: DigestSchedule): string {
  const time = `${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')}`;
  return `${s.cadence === 'weekly' ? DAY_NAMES[s.weekday] : 'Every day'} at ${time} (${s.timeZone})`;
}

/** Local date parts of an instant in a zone. */
function parts(at: Date, timeZone: string) {
  const d = new TZDate(at.getTime(), timeZone);
  return { year: d.getFullYear(), month: d.getMonth(), day: d.getDate(), weekday: d.getDay() };
}

function fireOn(s: DigestSchedule, year: number, month: number, day: number): Date {
  return new Date(new TZDate(year, month, day, s.hour, s.minute, s.timeZone).getTime());
}

/** The last scheduled time at or before `at`. */
export function latestFire(s: DigestSchedule, at: Date): Date {
  const p = parts(at, s.timeZone);
  const back = s.cadence === 'weekly' ? (p.weekday - s.weekday + 7) % 7 : 0;
  const candidate = fireOn(s, p.year, p.month, p.day - back);
  if (candidate.getTime() <= at.getTime()) return candidate;
  return fireOn(s, p.year, p.month, p.day - back - (s.cadence === 'weekly' ? 7 : 1));
}

/** The first scheduled time after `at`. */
export function nextFire(s: DigestSchedule, at: Date): Date {
  const p = parts(latestFire(s, at), s.timeZone);
  return fireOn(s, p.year, p.month, p.day + (s.cadence === 'weekly' ? 7 : 1));
}

/** What a firing at `fireAt` reports: the previous full week or day in the subscription's zone. */
export function periodFor(s: DigestSchedule, fireAt: Date): Period {
  return previousPeriod(s.cadence === 'weekly' ? weekOf(fireAt, s.timeZone) : dayOf(fireAt, s.timeZone));
}
