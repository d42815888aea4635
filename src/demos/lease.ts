import type { Config } from '../config.ts';
import { UserError } from '../errors.ts';
import type { Demo } from './store.ts';

/** The lease arithmetic, pure: a cap from creation, and where one Extend moves expiry. */

const HOUR = 3_600_000;

export function leaseCap(config: Config, demo: Pick<Demo, 'createdAt'>): Date {
  return new Date(demo.createdAt.getTime() + config.demo.maxTtlHours * HOUR);
}

/** Where one Extend (by default hours) would move the expiry (from now if it already passed), or null at the cap. */
export function extendTarget(config: Config, demo: Pick<Demo, 'createdAt' | 'expiresAt'>, now: Date, hours = config.demo.extendHours): Date | null {
  const base = Math.max(demo.expiresAt.getTime(), now.getTime());
  const target = Math.min(base + hours * HOUR, leaseCap(config, demo).getTime());
  return target > demo.expiresAt.getTime() ? new Date(target) : null;
}

/** `/demo extend [demo words] [hours]`: a last word like `4`, `4h` or `4 h` is the hours. */
export function parseExtendArgs(args: string[], maxHours: number): { words: string; hours: number | null } {
  const words = [...args];
  if (words.at(-1)?.toLowerCase() === 'h' && words.length > 1) words.pop();
  const m = /^(\d{1,3})h?$/i.exec(words.at(-1) ?? '');
  const hours = m ? Number(m[1]) : null;
  if (m) words.pop();
  if (hours !== null && (hours < 1 || hours > maxHours)) throw new UserError(`Say between 1 and ${maxHours} hours, e.g. \`/demo extend 2\`.`);
  return { words: words.join(' '), hours };
}

/** Button value of Extend: the expiry the user saw (see lifecycle-views extendButton). */
export function parseExtendValue(value: string): { demoId: string; seenExpiry: Date | null } {
  const [demoId = '', ms] = value.split('|');
  const n = Number(ms);
  return { demoId, seenExpiry: ms && Number.isFinite(n) ? new Date(n) : null };
}
