import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { usageSummary } from '../../src/accounting/store.ts';
import { weekOf, previousPeriod } from '../../src/accounting/periods.ts';
import { ask, insertDemo, insertImage } from './fixtures.ts';

/**
 * Hours over a week in America/New_York that contains the spring DST change (Sunday 8 March 2026,
 * 02:00 EST → 03:00 EDT): Monday 2 March 00:00 EST = 05:00Z to Monday 9 March 00:00 EDT = 04:00Z,
 * 167 hours. Every figure below is worked out by hand in its comment.
 */
describe('instance-hours across a DST week (real PostgreSQL)', () => {
  const clock = new ManualClock('2026-03-11T16:00:00Z'); // Wednesday 11 March, 12:00 EDT
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ORG_TIME_ZONE: 'America/New_York', APPROVER_USER_IDS: 'U_MANAGER' } });
    const crm = await insertImage(t, 'CRM demo');
    const shop = await insertImage(t, 'Retail storefront');
    // Bob, one demo stopped and started again during the week:
    await insertDemo(t, {
      owner: 'U_BOB',
      imageId: crm,
      intervals: [
        ['2026-03-02T01:00:00Z', '2026-03-02T07:00:00Z'], // Sun 20:00 EST → Mon 02:00 EST: 2 h inside (straddles the start)
        ['2026-03-03T15:00:00Z', '2026-03-03T20:30:00Z'], // Tue 10:00 → 15:30 EST: 5.5 h
        ['2026-03-08T03:00:00Z', '2026-03-08T08:00:00Z'], // Sat 22:00 EST → Sun 04:00 EDT: 6 h on the wall clock, 5 h real
        ['2026-03-09T03:00:00Z', '2026-03-09T07:00:00Z'], // Sun 23:00 EDT → Mon 03:00 EDT: 1 h inside (straddles the end)
      ],
    });
    // … and a second demo of Bob's still running since Sun 8 March 20:00 EDT: 4 h inside the week.
    await insertDemo(t, { owner: 'U_BOB', imageId: shop, machineType: 'n2-standard-2', zone: 'europe-west1-b', intervals: [['2026-03-09T00:00:00Z', null]] });
    // Alice ran one VM all week, Monday 00:00 EST to Monday 00:00 EDT: 167 h.
    await insertDemo(t, { owner: 'U_ALICE', imageId: crm, intervals: [['2026-03-02T05:00:00Z', '2026-03-09T04:00:00Z']] });
    // The week before: Alice 10 h (for the change).
    await insertDemo(t, { owner: 'U_ALICE', imageId: shop, intervals: [['2026-02-24T14:00:00Z', '2026-02-25T00:00:00Z']] });
  });
  afterAll(async () => t?.close());

  test('the ledger query gives the hand-computed hours', async () => {
    const week = previousPeriod(weekOf(clock.now(), 'America/New_York'));
    expect(week.start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    const s = await usageSummary(t.db, { start: week.start, end: week.end, now: clock.now(), previousStart: previousPeriod(week).start });
    // 2 + 5.5 + 5 + 1 + 4 = 17.5 h for Bob.
    expect(s.byUser.get('U_BOB')!.hours).toBeCloseTo(17.5, 9);
    expect(s.byUser.get('U_ALICE')!.hours).toBeCloseTo(167, 9);
    expect(s.byUser.get('U_ALICE')!.prevHours).toBeCloseTo(10, 9);
    expect(s.total.hours).toBeCloseTo(184.5, 9);
    // Cost at the seeded list prices: e2-standard-2 in us-central1 USD 0.067011/h, n2-standard-2 in europe-west1 USD 0.106834/h.
    expect(s.byUser.get('U_ALICE')!.cost).toBeCloseTo(167 * 0.067011, 6);
    expect(s.byUser.get('U_BOB')!.cost).toBeCloseTo(13.5 * 0.067011 + 4 * 0.106834, 6);
  });

  test('/demo usage last week: hours and cost beside each other, with the currency', async () => {
    const shown = await ask(t, 'U_BOB', 'usage last week');
    expect(shown.all).toContain('Mon 2 Mar – Sun 8 Mar 2026');
    expect(shown.all).toContain('17.5 h · USD 1.33'); // 13.5 × 0.067011 + 4 × 0.106834 = 1.3320
    expect(shown.all).toContain('Running now* (1)');
    expect(shown.all).not.toContain('U_ALICE');
  });

  test("an approver sees everyone's week; an admin's price change applies to every hour", async () => {
    const all = await ask(t, 'U_MANAGER', 'usage all last week');
    expect(all.all).toContain('<@U_ALICE> — 167.0 h · USD 11.19'); // 167 × 0.067011 = 11.1908
    expect(all.all).toContain('<@U_BOB> — 17.5 h');
    const set = await ask(t, 'U_ADMIN', 'admin price e2-standard-2 us-central1 0.1');
    expect(set.text).toContain('now costs USD 0.1 per hour (it was USD 0.067011)');
    const after = await ask(t, 'U_MANAGER', `usage <@U_ALICE|alice> last week`);
    expect(after.all).toContain('167.0 h · USD 16.70');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'price.set').execute();
    expect(audit).toMatchObject([{ actor_id: 'U_ADMIN', resource_id: 'e2-standard-2/us-central1' }]);
  });

  test('this week: a VM still running counts up to now, across the DST change', async () => {
    clock.set('2026-03-08T16:00:00Z'); // Sunday 8 March, 12:00 EDT
    try {
      const crm = await insertImage(t, 'Analytics');
      // Running since Sat 7 March 20:00 EST (01:00Z): to Sun 12:00 EDT (16:00Z) is 15 h, the wall clock says 16.
      await insertDemo(t, { owner: 'U_MANAGER', imageId: crm, machineType: 'custom-4-8192', intervals: [['2026-03-08T01:00:00Z', null]] });
      const shown = await ask(t, 'U_MANAGER', 'usage');
      expect(shown.all).toContain('15.0 h · price unknown');
      expect(shown.all).toContain('up 15.0 h');
    } finally {
      clock.set('2026-03-11T16:00:00Z');
    }
  });
});
