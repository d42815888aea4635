import { expect, test } from 'vitest';
import type { DigestData } from '../../src/accounting/digest-data.ts';
import { digestMessage } from '../../src/accounting/digest-views.ts';
import { previousPeriod, weekOf } from '../../src/accounting/periods.ts';

/** The digest says what its costs are: list prices, or list prices less the admin's discount. */
function digest(discount: number): DigestData {
  const period = weekOf(new Date('2026-03-04T12:00:00Z'), 'UTC');
  const figures = { hours: 10, cost: 0.54, unpricedHours: 0, prevHours: 0, prevCost: 0 };
  return {
    period,
    previous: previousPeriod(period),
    users: [{ userId: 'U_ALICE', ...figures }],
    total: figures,
    topImages: [],
    running: { demos: [], count: 0 },
    discount,
    estimated: { intervals: [], count: 0, hours: 0 },
    pool: { vms: 0, runningHours: 0, suspendedGbDays: 0, cost: 0, costKnown: true },
    suspended: { byUser: new Map(), total: { hours: 0, storageCost: 0, runningCost: 0, saved: 0, costKnown: true }, kept: [], keptHours: 0 },
  };
}

test('the digest footer names the price basis, with the discount when one is set', () => {
  const list = JSON.stringify(digestMessage(digest(1), { late: false }).blocks);
  expect(list).toContain('Costs are Google Cloud on-demand list prices, per machine type and region.');
  const discounted = JSON.stringify(digestMessage(digest(0.85), { late: false }).blocks);
  expect(discounted).toContain('Costs are Google Cloud on-demand list prices less a 15% discount, per machine type and region.');
});
