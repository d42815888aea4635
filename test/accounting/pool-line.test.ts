import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { computeDigest } from '../../src/accounting/digest-data.ts';
import { digestMessage } from '../../src/accounting/digest-views.ts';
import { weekOf } from '../../src/accounting/periods.ts';
import { blockText } from '../harness/flows.ts';
import { ask, insertDemo, insertImage, suspendedRatesLoaded } from './fixtures.ts';

/**
 * The warm pool's own line in the digest and in `/demo usage all`: its VMs' running time while
 * warming and their suspended GB-days, priced from the catalog (e2-medium USD 0.033506/h, balanced PD
 * USD 0.10 and suspended memory USD 0.04 per GiB-month in us-central1), never in anyone's figures.
 */
describe("the warm pool's line", () => {
  const clock = new ManualClock('2026-03-09T10:00:00Z'); // the Monday after the week of 2 March (UTC)
  let t: TestApp;

  const poolVm = async (imageId: string, created: string, suspended: string, ended: string | null) => {
    const id = randomUUID();
    await t.db
      .insertInto('pool_vms')
      .values({
        id,
        instance_name: `demo-${id.replaceAll('-', '')}`,
        image_id: imageId,
        zone: 'us-central1-a',
        machine_type: 'e2-medium',
        state: ended ? 'gone' : 'ready',
        disk_gb: 10,
        memory_mb: 4096,
        created_at: new Date(created),
        suspended_at: new Date(suspended),
        ended_at: ended ? new Date(ended) : null,
      })
      .execute();
  };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    await suspendedRatesLoaded(t);
    const image = await insertImage(t, 'CRM demo');
    await insertDemo(t, {
      owner: 'U_ALICE',
      imageId: image,
      machineType: 'e2-medium',
      zone: 'us-central1-a',
      intervals: [['2026-03-03T08:00:00Z', '2026-03-03T18:00:00Z']],
    });
    // 2 h warming, then suspended 48 h until deleted; 10 h warming, then suspended 86 h to the week's end (and on).
    await poolVm(image, '2026-03-02T06:00:00Z', '2026-03-02T08:00:00Z', '2026-03-04T08:00:00Z');
    await poolVm(image, '2026-03-05T00:00:00Z', '2026-03-05T10:00:00Z', null);
  });
  afterAll(async () => t?.close());

  // 12 h × 0.033506 + 134 h × (10 GiB × 0.10 + 4 GiB × 0.04) / 730 = 0.4021 + 0.1836 + 0.0294 = USD 0.62;
  // (10 + 4) GiB × 134 h / 24 = 78.2 GB-days.
  const line = ":zap: Warm pool: 12.0 h running while warming, 78.2 GB-days suspended · USD 0.62 (the pool's own, charged to nobody)";

  test('the weekly digest shows it apart from the people', async () => {
    const week = weekOf(new Date('2026-03-04T12:00:00Z'), 'UTC');
    const data = await computeDigest(t.db, week, clock.now());
    expect(data.pool.runningHours).toBeCloseTo(12, 6);
    expect(data.pool.suspendedGbDays).toBeCloseTo(78.1667, 3);
    expect(data.pool.cost).toBeCloseTo(0.615004, 5);
    expect(data.total.hours).toBeCloseTo(10, 6); // Alice's 10 h only
    expect(blockText(digestMessage(data, { late: false }).blocks)).toContain(line);
  });

  test('`/demo usage all last week` shows it; a person’s own usage does not', async () => {
    expect((await ask(t, 'U_ADMIN', 'usage all last week')).all).toContain(line);
    expect((await ask(t, 'U_ADMIN', 'usage <@U_ALICE> last week')).all).not.toContain('Warm pool');
  });
});
