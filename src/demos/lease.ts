import type { Config } from '../config.ts';
import type { Demo } from './store.ts';

/** The lease arithmetic, pure: a cap from creation, and where one Extend moves expiry. */

const HOUR = 3_600_000;

export function leaseCap(config: Config, demo: Pick<Demo, 'createdAt'>): Date {
  return new Date(demo.createdAt.getTime() + config.demo.maxTtlHours * HOUR);
}

/** Where one Extend would move the expiry (from now if it already passed), or null at the cap. */
export function extendTarget(config: Config, demo: Pick<Demo, 'createdAt' | 'expiresAt'>, now: Date): Date | null {
  const base = Math.max(demo.expiresAt.getTime(), now.getTime());
  const target = Math.min(base + config.demo.extendHours * HOUR, leaseCap(config, demo).getTime());
  return target > demo.expiresAt.getTime() ? new Date(target) : null;
}

/** Button value of Extend: the expiry the user saw (see lifecycle-views extendButton). */
export function parseExtendValue(value: string): { demoId: string; seenExpiry: Date | null } {
  const [demoId = '', ms] = value.split('|');
  const n = Number(ms);
  return { demoId, seenExpiry: ms && Number.isFinite(n) ? new Date(n) : null };
}
