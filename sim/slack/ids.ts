import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/platform/clock.ts';

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Upper-case alphanumerics, like Slack's ids after the type letter (V…, F…). */
export function randomId(prefix: string, length = 10): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Slack-style block_id for blocks sent without one (Slack fills in a short random id). */
export function randomBlockId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
  let out = '';
  for (const b of randomBytes(5)) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * Message timestamps "1732540000.000100": seconds and microseconds from the clock, bumped by one
 * microsecond when two messages land in the same instant, so every ts is unique and ordered.
 */
export class TsGenerator {
  #last = 0n;
  readonly #clock: Clock;
  constructor(clock: Clock) {
    this.#clock = clock;
  }
  next(): string {
    let micros = BigInt(this.#clock.now().getTime()) * 1000n;
    if (micros <= this.#last) micros = this.#last + 1n;
    this.#last = micros;
    const sec = micros / 1_000_000n;
    const frac = (micros % 1_000_000n).toString().padStart(6, '0');
    return `${sec}.${frac}`;
  }
}

/** Compare two Slack timestamps numerically (they are decimal strings). */
export function compareTs(a: string, b: string): number {
  const x = tsMicros(a);
  const y = tsMicros(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A ts as integer microseconds (a double cannot hold 16 significant digits exactly). */
export function tsMicros(ts: string): bigint {
  if (!/^\d+(\.\d*)?$/.test(ts)) return -1n;
  const [sec = '0', frac = ''] = ts.split('.');
  return BigInt(sec || '0') * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
}
