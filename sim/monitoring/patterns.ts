/**
 * What a simulated user does on a demo VM, as the two metrics GCE reports per minute: the mean CPU
 * utilisation over the minute (a fraction) and the bytes received in it. The patterns are the issue's
 * (#26), deterministic given a seed, the VM and the minute, so a run can be repeated exactly.
 */

export type ActivityPattern = 'screen-share' | 'slow-reading' | 'idle-noise';

export const PATTERNS: readonly ActivityPattern[] = ['screen-share', 'slow-reading', 'idle-noise'];

/** One minute of a VM, as the metrics see it. */
export interface MinuteSample {
  /** Mean CPU utilisation over the minute, 0–1. */
  cpu: number;
  /** Bytes received during the minute. */
  receivedBytes: number;
}

const KB = 1024;

/** A uniform number in [0, 1) from (seed, key, minute, salt): a small integer hash, no state to carry. */
export function unit(seed: number, key: string, minute: number, salt: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  h = Math.imul(h ^ (minute >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ Math.floor(minute / 2 ** 32), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ salt, 0x27d4eb2f) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 32;
}

const between = (u: number, lo: number, hi: number) => lo + u * (hi - lo);

/**
 * The minute `minute` (minutes since the epoch) of VM `key` under `pattern`:
 * - screen-share: CPU 3–15 %, network 20–300 KB/s, every minute.
 * - slow-reading: CPU under 2 %; the network is silent except in bursts of 2–20 KB/s (as the minute's
 *   rate) every 1–3 min: each two-minute block has one burst minute, so bursts are 1 to 3 minutes apart.
 * - idle-noise: CPU 0.5–1.5 % with OS timers spiking to 5 % for 10 s every 5 min, network under 1 KB/s.
 */
export function sampleMinute(pattern: ActivityPattern, seed: number, key: string, minute: number): MinuteSample {
  const u = (salt: number) => unit(seed, key, minute, salt);
  switch (pattern) {
    case 'screen-share':
      return { cpu: between(u(1), 0.03, 0.15), receivedBytes: Math.round(between(u(2), 20, 300) * KB * 60) };
    case 'slow-reading': {
      const block = Math.floor(minute / 2);
      const burstAt = block * 2 + (unit(seed, key, block, 7) < 0.5 ? 0 : 1);
      const rate = minute === burstAt ? between(u(2), 2, 20) : between(u(3), 0, 0.1);
      return { cpu: between(u(1), 0.002, 0.018), receivedBytes: Math.round(rate * KB * 60) };
    }
    case 'idle-noise': {
      const base = between(u(1), 0.005, 0.015);
      // The timer's phase is the VM's own; the minute holding the 10 s spike averages it in.
      const phase = Math.floor(unit(seed, key, 0, 11) * 5);
      const spike = (minute + phase) % 5 === 0;
      const cpu = spike ? (base * 50 + 0.05 * 10) / 60 : base;
      return { cpu, receivedBytes: Math.round(between(u(2), 0.05, 0.95) * KB * 60) };
    }
  }
}
