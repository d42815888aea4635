import { describe, expect, test } from 'vitest';
import { idleAction, isActive, judgeIdle } from '../../src/demos/idle.ts';
import { sampleMinute } from '../../sim/monitoring/patterns.ts';
import type { ActivityPoint } from '../../src/platform/monitoring/port.ts';

const T = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);
const pt = (hhmm: string, cpu: number, kbps: number): ActivityPoint => ({ end: T(hhmm), cpu, receivedBytesPerSecond: kbps * 1024 });

describe('the idle detector, on literal series', () => {
  test('a busy minute is CPU ≥ 3 % or ≥ 1.5 KB/s received', () => {
    expect(isActive(pt('10:00', 0.03, 0))).toBe(true);
    expect(isActive(pt('10:00', 0.018, 2))).toBe(true); // slow reading: the network says so
    expect(isActive(pt('10:00', 0.021, 0.9))).toBe(false); // idle noise with its 5 % spike averaged in
    expect(isActive({ end: T('10:00') })).toBe(false);
  });

  test('idle time runs to now − 240 s; late data (newest older than 5 min) are not judged', () => {
    const points = [pt('10:00', 0.1, 50), pt('10:20', 0.01, 0.5), pt('10:31', 0.01, 0.5), pt('10:33', 0.01, 0.5)];
    // now 10:35: covered up to 10:31 (now − 4 min), idle 31 min since 10:00.
    expect(judgeIdle({ now: T('10:35'), points, signals: [], idleMinutes: 30 })).toMatchObject({ kind: 'idle', idleMinutes: 31 });
    expect(judgeIdle({ now: T('10:35'), points, signals: [], idleMinutes: 32 })).toMatchObject({ kind: 'active', idleMinutes: 31 });
    // A Slack action (or Open the app) counts like a busy minute.
    expect(judgeIdle({ now: T('10:35'), points, signals: [T('10:10')], idleMinutes: 30 })).toMatchObject({ kind: 'active', idleMinutes: 21 });
    // Newest sample 10:33, now 10:39: 6 min old, so wait.
    expect(judgeIdle({ now: T('10:39'), points, signals: [], idleMinutes: 30 }).kind).toBe('wait');
    expect(judgeIdle({ now: T('10:39'), points: [], signals: [T('09:00')], idleMinutes: 30 }).kind).toBe('wait');
  });

  test('warn, cancel on new activity, suspend 10 min after the warning', () => {
    const idle = { kind: 'idle' as const, lastActivity: T('10:00'), idleMinutes: 31 };
    expect(idleAction(idle, null, T('10:35'))).toBe('warn');
    const warning = { idleSince: T('10:00'), warnedAt: T('10:35') };
    expect(idleAction(idle, warning, T('10:44'))).toBe('none');
    expect(idleAction(idle, warning, T('10:45'))).toBe('suspend');
    expect(idleAction({ kind: 'active', lastActivity: T('10:40'), idleMinutes: 1 }, warning, T('10:45'))).toBe('cancel');
    expect(idleAction({ kind: 'wait', lastActivity: T('10:00') }, warning, T('10:50'))).toBe('none');
  });

  test("the simulator's patterns: every slow-reading gap is under 4 min, no idle-noise minute is busy, every screen-share minute is", () => {
    for (const vm of ['1001', '1002', '1003']) {
      let last = -1;
      for (let m = 1_000_000; m < 1_000_000 + 24 * 60; m++) {
        const s = (p: 'screen-share' | 'slow-reading' | 'idle-noise') => {
          const x = sampleMinute(p, 7, vm, m);
          return { end: new Date(m * 60_000), cpu: x.cpu, receivedBytesPerSecond: x.receivedBytes / 60 };
        };
        expect(isActive(s('screen-share'))).toBe(true);
        expect(isActive(s('idle-noise'))).toBe(false);
        expect(s('slow-reading').cpu).toBeLessThan(0.02);
        if (isActive(s('slow-reading'))) {
          if (last >= 0) expect(m - last).toBeLessThanOrEqual(3);
          last = m;
        }
      }
    }
  });
});
