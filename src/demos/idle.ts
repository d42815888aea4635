import type { ActivityPoint } from '../platform/monitoring/port.ts';

/**
 * Is a demo idle? A pure judgement over its VM's per-minute samples and the app's own signals.
 *
 * A minute is activity when its mean CPU is at least 3 % or it received at least 1.5 KB/s on average.
 * Why these: a screen-shared demo runs 3–15 % CPU and receives 20–300 KB/s; a customer reading slowly
 * keeps the CPU under 2 % but pulls 2–20 KB/s in the minutes it loads something (every 1–3 min), so
 * the network catches it; an idle VM's OS noise stays at 0.5–1.5 % CPU with a 10 s spike to 5 % every
 * 5 min (a minute's mean ≤ 2.1 %) and receives under 1 KB/s — below both. The readiness probe is not
 * activity: the app never counts its own requests (they are a few bytes, well under 1.5 KB/s).
 *
 * Cloud Monitoring shows a sample up to 240 s after it was taken (GCE's documented latency for these
 * metrics), so the idle time runs from the last activity to where the data surely are complete
 * (now − 240 s, or the newest sample if older), and a VM whose newest sample is older than 5 min is
 * not judged at all (its data are late: wait).
 */

export const ACTIVE_CPU = 0.03;
export const ACTIVE_RECEIVED_BYTES_PER_SECOND = 1.5 * 1024;
export const DATA_LATENCY_MS = 240_000;
export const FRESH_DATA_MS = 5 * 60_000;
/** From the warning to the suspend. */
export const WARNING_MINUTES = 10;

export function isActive(p: ActivityPoint): boolean {
  return (p.cpu ?? 0) >= ACTIVE_CPU || (p.receivedBytesPerSecond ?? 0) >= ACTIVE_RECEIVED_BYTES_PER_SECOND;
}

/** The end of the newest busy minute, if any. */
export function lastActiveSample(points: readonly ActivityPoint[]): Date | null {
  let last: Date | null = null;
  for (const p of points) if (isActive(p) && (!last || p.end > last)) last = p.end;
  return last;
}

export type IdleVerdict =
  | { kind: 'wait'; lastActivity: Date }
  | { kind: 'active'; lastActivity: Date; idleMinutes: number }
  | { kind: 'idle'; lastActivity: Date; idleMinutes: number };

export interface IdleInput {
  now: Date;
  /** The VM's samples (any window that reaches back to the stored activity). */
  points: readonly ActivityPoint[];
  /** The app's own signals: activity seen before, "Open the app", the start of this running period, Slack actions. */
  signals: ReadonlyArray<Date | null>;
  idleMinutes: number;
}

export function judgeIdle(input: IdleInput): IdleVerdict {
  const candidates = [...input.signals, lastActiveSample(input.points)].filter((d): d is Date => d !== null);
  const lastActivity = new Date(Math.max(0, ...candidates.map((d) => d.getTime())));
  const newest = Math.max(0, ...input.points.map((p) => p.end.getTime()));
  const now = input.now.getTime();
  if (newest < now - FRESH_DATA_MS) return { kind: 'wait', lastActivity };
  const covered = Math.min(newest, now - DATA_LATENCY_MS);
  const idleMinutes = Math.max(0, (covered - lastActivity.getTime()) / 60_000);
  return { kind: idleMinutes >= input.idleMinutes ? 'idle' : 'active', lastActivity, idleMinutes };
}

/** What the idle check does to one running demo this minute. */
export type IdleAction = 'none' | 'warn' | 'cancel' | 'suspend';

export function idleAction(verdict: IdleVerdict, warning: { idleSince: Date; warnedAt: Date } | null, now: Date): IdleAction {
  if (!warning) return verdict.kind === 'idle' ? 'warn' : 'none';
  // Anything newer than the idle period the warning was about (a busy minute, a click) calls it off.
  if (verdict.lastActivity > warning.idleSince) return 'cancel';
  if (verdict.kind === 'idle' && now.getTime() - warning.warnedAt.getTime() >= WARNING_MINUTES * 60_000) return 'suspend';
  return 'none';
}
