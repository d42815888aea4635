import { describe, expect, test } from 'vitest';
import { latestFire, nextFire, periodFor, toCron, fromCron, type DigestSchedule } from '../../src/accounting/digest-schedule.ts';
import { parsePeriod, parsePriceArgs, parseSubscribeArgs, parseUsageArgs } from '../../src/accounting/parse.ts';
import { describePeriod, monthOf, previousPeriod, weekOf } from '../../src/accounting/periods.ts';
import { UserError } from '../../src/errors.ts';

const hours = (p: { start: Date; end: Date }) => (p.end.getTime() - p.start.getTime()) / 3_600_000;
const NY = 'America/New_York';

describe('periods in a time zone', () => {
  test('the week with the spring DST change in New York is 167 h, starting Monday 00:00 local', () => {
    const w = weekOf(new Date('2026-03-05T12:00:00Z'), NY);
    expect(w.start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(hours(w)).toBe(167);
    expect(describePeriod(w)).toBe('Mon 2 Mar – Sun 8 Mar 2026');
  });

  test('the autumn change makes a 169 h week; a plain week is 168 h', () => {
    expect(hours(weekOf(new Date('2026-10-28T12:00:00Z'), NY))).toBe(169); // clocks go back on Sun 1 Nov
    expect(hours(weekOf(new Date('2026-03-12T12:00:00Z'), NY))).toBe(168);
  });

  test('Sunday late evening local time is still in the week that began on Monday', () => {
    // Sun 8 Mar 23:30 EDT = Mon 9 Mar 03:30 UTC
    expect(weekOf(new Date('2026-03-09T03:30:00Z'), NY).start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });

  test('months and previous periods', () => {
    const m = monthOf(new Date('2026-03-11T16:00:00Z'), NY);
    expect(hours(m)).toBe(31 * 24 - 1);
    expect(previousPeriod(m).start.toISOString()).toBe('2026-02-01T05:00:00.000Z');
    const w = weekOf(new Date('2026-03-11T16:00:00Z'), NY);
    expect(previousPeriod(w).start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });
});

describe('/demo usage arguments', () => {
  const now = new Date('2026-03-11T16:00:00Z');

  test('who: me by default, an escaped mention, or all', () => {
    expect(parseUsageArgs('', now, NY).subject).toEqual({ kind: 'me' });
    expect(parseUsageArgs('<@U0BOB123|bob> last week', now, NY).subject).toEqual({ kind: 'user', userId: 'U0BOB123' });
    expect(parseUsageArgs('<@W0ENT99>', now, NY).subject).toEqual({ kind: 'user', userId: 'W0ENT99' });
    expect(parseUsageArgs('all this month', now, NY).subject).toEqual({ kind: 'all' });
  });

  test('when: this/last week, months, days and date ranges (inclusive, local midnights)', () => {
    expect(parsePeriod('', now, NY).start.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(parsePeriod('last week', now, NY).start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    const r = parsePeriod('2026-03-01..2026-03-08', now, NY);
    expect([r.start.toISOString(), r.end.toISOString()]).toEqual(['2026-03-01T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(hours(parsePeriod('2026-03-08', now, NY))).toBe(23);
    expect(hours(parsePeriod('yesterday', now, NY))).toBe(24);
  });

  test.each([
    ['next year', /don't understand the period/],
    ['2026-02-30', /don't understand the period/],
    ['2026-03-10..2026-03-01', /ends before it starts/],
    ['2024-01-01..2026-01-01', /more than 366 days/],
    ['@bob', /Pick the person from Slack's autocomplete/],
  ])('bad input %s → a sentence the user can act on', (text, message) => {
    expect(() => parseUsageArgs(text, now, NY)).toThrow(UserError);
    expect(() => parseUsageArgs(text, now, NY)).toThrow(message);
  });
});

describe('digest schedules', () => {
  const weekly: DigestSchedule = { cadence: 'weekly', weekday: 1, hour: 9, minute: 0, timeZone: 'Europe/Paris' };

  test('cron round trip', () => {
    expect(toCron(weekly)).toBe('0 9 * * 1');
    expect(fromCron('30 17 * * 5', 'weekly', 'UTC')).toEqual({ cadence: 'weekly', weekday: 5, hour: 17, minute: 30, timeZone: 'UTC' });
  });

  test('latest and next firing, and the period a firing reports (the previous full week in its zone)', () => {
    const at = new Date('2026-03-11T12:00:00Z'); // Wednesday
    expect(latestFire(weekly, at).toISOString()).toBe('2026-03-09T08:00:00.000Z');
    expect(nextFire(weekly, at).toISOString()).toBe('2026-03-16T08:00:00.000Z');
    // Exactly at the firing it is the latest one.
    expect(latestFire(weekly, new Date('2026-03-09T08:00:00Z')).toISOString()).toBe('2026-03-09T08:00:00.000Z');
    const p = periodFor(weekly, new Date('2026-03-09T08:00:00Z'));
    expect([p.start.toISOString(), p.end.toISOString()]).toEqual(['2026-03-01T23:00:00.000Z', '2026-03-08T23:00:00.000Z']);
    // Paris moves to summer time on 29 March: the firing stays at 09:00 local.
    expect(latestFire(weekly, new Date('2026-03-30T12:00:00Z')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    const daily: DigestSchedule = { ...weekly, cadence: 'daily' };
    expect(periodFor(daily, latestFire(daily, at)).start.toISOString()).toBe('2026-03-09T23:00:00.000Z');
  });

  test('subscribe arguments: defaults, escaped channel, day, time, zone; and mistakes', () => {
    expect(parseSubscribeArgs(['<#C0DEMOS|demo-vm>'], 'UTC')).toEqual({
      channelId: 'C0DEMOS',
      schedule: { cadence: 'weekly', weekday: 1, hour: 9, minute: 0, timeZone: 'UTC' },
    });
    expect(parseSubscribeArgs(['<#C0DEMOS>', 'weekly', 'friday', '17:30', 'America/New_York'], 'UTC').schedule).toEqual({
      cadence: 'weekly',
      weekday: 5,
      hour: 17,
      minute: 30,
      timeZone: NY,
    });
    expect(parseSubscribeArgs(['<#C0DEMOS|x>', 'daily', '7:05'], 'UTC').schedule).toMatchObject({ cadence: 'daily', hour: 7, minute: 5 });
    expect(() => parseSubscribeArgs(['#demo-vm'], 'UTC')).toThrow(/autocomplete/);
    expect(() => parseSubscribeArgs(['<#C0DEMOS>', 'Mars/Olympus'], 'UTC')).toThrow(/not a time zone/);
    expect(() => parseSubscribeArgs(['<#C0DEMOS>', '25:00'], 'UTC')).toThrow(/not a time of day/);
    expect(() => parseSubscribeArgs(['<#C0DEMOS>', 'daily', 'mon'], 'UTC')).toThrow(/leave out the weekday/);
    expect(() => parseSubscribeArgs([], 'UTC')).toThrow(/Say which channel/);
  });

  test('price arguments', () => {
    expect(parsePriceArgs(['e2-standard-2', 'us-central1', '0.067'])).toEqual({ machineType: 'e2-standard-2', region: 'us-central1', hourlyPrice: 0.067 });
    expect(parsePriceArgs(['n2-standard-4', '*', '$0.2'])).toMatchObject({ region: '*', hourlyPrice: 0.2 });
    expect(() => parsePriceArgs(['e2-small', 'us-central1-a', '0.1'])).toThrow(/not a region/);
    expect(() => parsePriceArgs(['e2-small', 'us-central1', 'cheap'])).toThrow(/not a price/);
    expect(() => parsePriceArgs(['e2-small'])).toThrow(/Usage/);
  });
});
