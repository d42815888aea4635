/**
 * The simulated sales engineers and their week, drawn from a seed: who works where, how many demos
 * each launches (Poisson, mean 4; five heavy users far more), when (working hours of their own time
 * zone, Monday to Friday), and what each demo session looks like minute by minute (screen-share,
 * a customer reading slowly, breaks), whether they forget to stop it, extend it over the weekend on a
 * Friday afternoon, or launch it ahead of a booked meeting. Pure: the same seed gives the same week.
 */
import { TZDate } from '@date-fns/tz';
import { seeded } from '../../sim/seeded-random.ts';

export type Pattern = 'screen-share' | 'slow-reading' | 'idle-noise';

/** Knuth's Poisson draw (fine for small means). */
export function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

const between = (random: () => number, lo: number, hi: number) => lo + random() * (hi - lo);
const MINUTE = 60_000;

/** Where the 200 work: [time zone, share]. */
const ZONES: Array<[string, number]> = [
  ['America/Los_Angeles', 0.15],
  ['America/Chicago', 0.1],
  ['America/New_York', 0.2],
  ['Europe/London', 0.15],
  ['Europe/Paris', 0.2],
  ['Europe/Berlin', 0.1],
  ['Asia/Singapore', 0.1],
];

export interface Segment {
  /** Minutes from the session's start. */
  from: number;
  pattern: Pattern;
  /** A break: the user is away (in the session, but not looking at Slack). */
  away: boolean;
}

export interface PlannedDemo {
  user: string;
  /** When the user submits the launch. */
  launchAt: Date;
  /** The meeting this demo was launched ahead of (10%: bookings are modelled as an early launch). */
  bookedFor: Date | null;
  /** Session length in minutes (from the VM being ready, or from the meeting when booked), breaks included. */
  sessionMinutes: number;
  segments: Segment[];
  /** Never presses Stop: the VM runs until its time to live (or a suspend). */
  forgets: boolean;
  /** A Friday-afternoon demo kept for Monday: Extend pressed on every expiry nudge, never stopped. */
  weekend: boolean;
}

export interface SimUser {
  id: string;
  timeZone: string;
  heavy: boolean;
  demos: PlannedDemo[];
}

export interface PopulationOptions {
  seed: number;
  users: number;
  /** Monday 00:00 UTC of the simulated week. */
  weekStart: Date;
  /** Days of the week simulated (7 normally; fewer for a smoke run). */
  days: number;
  heavyUsers: number;
  meanLaunches: number;
  heavyMeanLaunches: number;
}

export const DEFAULT_POPULATION = { users: 200, days: 7, heavyUsers: 5, meanLaunches: 4, heavyMeanLaunches: 15 } as const;

function pickZone(random: () => number): string {
  let r = random();
  for (const [zone, share] of ZONES) if ((r -= share) < 0) return zone;
  return ZONES.at(-1)![0];
}

/** The session as segments: screen-share and slow reading in turns, with 0–2 breaks (away, idle). */
function sessionSegments(random: () => number, minutes: number): Segment[] {
  const breaks = Math.floor(random() * 3);
  const segments: Segment[] = [];
  const breakAt = new Set(Array.from({ length: breaks }, () => Math.floor(between(random, 0.25, 0.8) * minutes)));
  let t = 0;
  let sharing = true;
  while (t < minutes) {
    const pending = [...breakAt].find((b) => b <= t);
    if (pending !== undefined) {
      breakAt.delete(pending);
      segments.push({ from: t, pattern: 'idle-noise', away: true });
      t += Math.round(between(random, 5, 15));
      continue;
    }
    segments.push({ from: t, pattern: sharing ? 'screen-share' : 'slow-reading', away: false });
    t += Math.round(sharing ? between(random, 5, 25) : between(random, 3, 15));
    sharing = !sharing;
  }
  return segments;
}

/** A local wall-clock time on `day` (0 = Monday) of the week, in the user's time zone, as an instant. */
function localTime(weekStart: Date, day: number, minutesOfDay: number, timeZone: string): Date {
  const utcDay = new Date(weekStart.getTime() + day * 86_400_000);
  const local = new TZDate(utcDay.getUTCFullYear(), utcDay.getUTCMonth(), utcDay.getUTCDate(), 0, 0, 0, timeZone);
  return new Date(local.getTime() + minutesOfDay * MINUTE);
}

export function population(o: PopulationOptions): SimUser[] {
  const random = seeded(o.seed);
  const weekdays = Math.min(o.days, 5);
  const end = o.weekStart.getTime() + o.days * 86_400_000;
  const users: SimUser[] = [];
  for (let i = 0; i < o.users; i++) {
    const heavy = i < o.heavyUsers;
    const timeZone = pickZone(random);
    const id = `U_SE${String(i + 1).padStart(3, '0')}`;
    const count = poisson(random, ((heavy ? o.heavyMeanLaunches : o.meanLaunches) * weekdays) / 5);
    const drafts = Array.from({ length: count }, () => {
      const day = Math.floor(random() * weekdays);
      const startMinute = Math.round(between(random, 9 * 60, 17 * 60));
      const booked = random() < 0.1;
      const sessionMinutes = Math.round(between(random, 30, 120));
      const meeting = localTime(o.weekStart, day, startMinute, timeZone);
      const friday = day === 4 && startMinute >= 13 * 60;
      return {
        user: id,
        meeting,
        launchAt: booked ? new Date(meeting.getTime() - Math.round(between(random, 15, 45)) * MINUTE) : meeting,
        bookedFor: booked ? meeting : null,
        sessionMinutes,
        segments: sessionSegments(random, sessionMinutes),
        forgets: random() < 0.3,
        weekend: friday && random() < 0.5,
      };
    });
    // One demo at a time per person: a later one waits until the previous session is over.
    drafts.sort((a, b) => a.launchAt.getTime() - b.launchAt.getTime());
    const demos: PlannedDemo[] = [];
    let freeAt = 0;
    for (const d of drafts) {
      const shift = Math.max(0, freeAt - d.launchAt.getTime());
      const launchAt = new Date(d.launchAt.getTime() + shift);
      const bookedFor = d.bookedFor && new Date(d.bookedFor.getTime() + shift);
      // Ready within ~3 minutes of a launch; the session then runs its length.
      freeAt = (bookedFor ?? launchAt).getTime() + (d.sessionMinutes + 20) * MINUTE;
      if (launchAt.getTime() >= end) continue;
      demos.push({ user: d.user, launchAt, bookedFor, sessionMinutes: d.sessionMinutes, segments: d.segments, forgets: d.forgets, weekend: d.weekend });
    }
    users.push({ id, timeZone, heavy, demos });
  }
  return users;
}
