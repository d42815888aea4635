import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { computeDigest } from '../../src/accounting/digest-data.ts';
import { digestMessage, savingsBlocks, TOP_USERS } from '../../src/accounting/digest-views.ts';
import { weekOf } from '../../src/accounting/periods.ts';
import { blockText } from '../harness/flows.ts';
import { ask, insertDemo, insertImage, suspendedRatesLoaded } from './fixtures.ts';

/**
 * What auto-suspend saved, in the digest and in `/demo usage`: suspended hours (cut to the period and
 * to now) priced as memory and disks kept (balanced PD USD 0.10, suspended memory USD 0.04 per
 * GiB-month, over 730 h) against running them (e2-medium USD 0.033506/h, e2-standard-2 USD
 * 0.067011/h in us-central1), and the idle hours Keep running presses kept running, named.
 */
describe('the suspended-time lines', () => {
  const clock = new ManualClock('2026-03-09T10:00:00Z'); // the Monday after the week of 2 March (UTC)
  let t: TestApp;
  let aliceDemo: string;
  let bobDemo: string;

  const suspended = async (demoId: string, user: string, machineType: string, memoryMb: number, diskGb: number, from: string, to: string | null) => {
    const demo = await t.db.selectFrom('demos').select('image_id').where('id', '=', demoId).executeTakeFirstOrThrow();
    await t.db
      .insertInto('suspended_intervals')
      .values({
        demo_id: demoId,
        user_id: user,
        image_id: demo.image_id,
        machine_type: machineType,
        zone: 'us-central1-a',
        memory_mb: memoryMb,
        disk_gb: diskGb,
        started_at: new Date(from),
        ended_at: to ? new Date(to) : null,
      })
      .execute();
  };
  const keep = async (demoId: string, pressedBy: string, owner: string, pressed: string, ended: string | null) => {
    await t.db
      .insertInto('idle_keeps')
      .values({
        demo_id: demoId,
        user_id: pressedBy,
        owner_id: owner,
        machine_type: 'e2-medium',
        zone: 'us-central1-a',
        idle_since: new Date(new Date(pressed).getTime() - 40 * 60_000),
        pressed_at: new Date(pressed),
        ended_at: ended ? new Date(ended) : null,
      })
      .execute();
  };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    await suspendedRatesLoaded(t);
    const crm = await insertImage(t, 'CRM demo');
    const sales = await insertImage(t, 'Sales demo');
    aliceDemo = await insertDemo(t, {
      owner: 'U_ALICE',
      imageId: crm,
      machineType: 'e2-medium',
      intervals: [['2026-03-03T08:00:00Z', '2026-03-03T10:00:00Z']],
    });
    bobDemo = await insertDemo(t, {
      owner: 'U_BOB',
      imageId: sales,
      machineType: 'e2-standard-2',
      intervals: [['2026-03-07T08:00:00Z', '2026-03-07T12:00:00Z']],
    });
    // Alice: 2 h of a night that began the Sunday before (cut at the week's start) + 10.5 h on Tuesday.
    await suspended(aliceDemo, 'U_ALICE', 'e2-medium', 4096, 10, '2026-03-01T20:00:00Z', '2026-03-02T02:00:00Z');
    await suspended(aliceDemo, 'U_ALICE', 'e2-medium', 4096, 10, '2026-03-03T10:00:00Z', '2026-03-03T20:30:00Z');
    // Bob: suspended since Saturday noon and still is (36 h to the week's end, 10 more this Monday morning).
    await suspended(bobDemo, 'U_BOB', 'e2-standard-2', 8192, 20, '2026-03-07T12:00:00Z', null);
    // Keep running: Bob on his own demo for 2 h; an admin on Alice's, still idle-running (1.5 h to the
    // week's end); one press the week before, outside the period.
    await keep(bobDemo, 'U_BOB', 'U_BOB', '2026-03-04T15:00:00Z', '2026-03-04T17:00:00Z');
    await keep(aliceDemo, 'U_ADMIN', 'U_ALICE', '2026-03-08T22:30:00Z', null);
    await keep(aliceDemo, 'U_ALICE', 'U_ALICE', '2026-02-25T09:00:00Z', '2026-02-25T11:00:00Z');
  });
  afterAll(async () => t?.close());

  // Alice 12.5 h: running 12.5 × 0.033506 = 0.41882, kept 12.5 × (10 × 0.10 + 4 × 0.04) / 730 = 0.01986 → saved 0.39896.
  // Bob 36 h: running 36 × 0.067011 = 2.41240, kept 36 × (20 × 0.10 + 8 × 0.04) / 730 = 0.11441 → saved 2.29798.
  const alice = '<@U_ALICE> — Suspended 12.5 h instead of running · saved USD 0.40';
  const bob = '<@U_BOB> — Suspended 36.0 h instead of running · saved USD 2.30';
  const total = '*Auto-suspend*: Suspended 48.5 h instead of running · saved USD 2.70 in all';
  const kept = "Idle but kept running: 3.5 h — Keep running pressed by <@U_BOB> (Sales demo, 2.0 h), <@U_ADMIN> (<@U_ALICE>'s CRM demo, 1.5 h)";

  test('the weekly digest shows hours suspended and the saving per person and in all, and who kept idle demos running', async () => {
    const week = weekOf(new Date('2026-0304T12:00:00Z'.replace('03', '03-')), 'UTC');
    const data = await computeDigest(t.db, week, clock.now());
    expect(data.suspended.byUser.get('U_ALICE')).toMatchObject({ hours: 12.5, costKnown: true });
    expect(data.suspended.byUser.get('U_ALICE')!.runningCost).toBeCloseTo(0.418825, 4);
    expect(data.suspended.byUser.get('U_ALICE')!.storageCost).toBeCloseTo(0.019863, 5);
    expect(data.suspended.byUser.get('U_BOB')!.hours).toBeCloseTo(36, 6);
    expect(data.suspended.byUser.get('U_BOB')!.saved).toBeCloseTo(2.297985, 4);
    expect(data.suspended.total.hours).toBeCloseTo(48.5, 6);
    expect(data.suspended.keptHours).toBeCloseTo(3.5, 6);
    // Suspended hours are never running hours: Alice ran 2 h and Bob 4 h.
    expect(data.total.hours).toBeCloseTo(6, 6);
    expect(data.users.map((u) => [u.userId, u.hours])).toEqual([
      ['U_BOB', 4],
      ['U_ALICE', 2],
    ]);

    const message = digestMessage(data, { late: false });
    const text = blockText(message.blocks);
    expect(text).toContain(JSON.stringify(`${total}\n• ${bob}\n• ${alice}`).slice(1, -1)); // most hours first
    expect(text).toContain(kept);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });

  test('`/demo usage all last week` shows the same lines; a person’s own usage shows only theirs', async () => {
    const all = (await ask(t, 'U_ADMIN', 'usage all last week')).all;
    expect(all).toContain(total);
    expect(all).toContain(bob);
    expect(all).toContain(kept);
    const bobs = (await ask(t, 'U_ADMIN', 'usage <@U_BOB> last week')).all;
    expect(bobs).toContain('*Auto-suspend*: Suspended 36.0 h instead of running · saved USD 2.30 in all');
    expect(bobs).toContain('Idle but kept running: 2.0 h — Keep running pressed by <@U_BOB> (Sales demo)');
    expect(bobs).not.toContain('U_ALICE');
  });

  test('an interval still open counts up to now, not to the end of the period', async () => {
    // This week so far: Bob's demo has been suspended 10 h (00:00 → 10:00); 10 × 0.067011 − 10 × 2.32 / 730 = 0.63833.
    const mine = (await ask(t, 'U_BOB', 'usage')).all;
    expect(mine).toContain('Suspended 10.0 h instead of running · saved USD 0.64 in all');
    // The admin's press on Alice's demo is still idle-running: 1.5 h last week + 10 h this week.
    expect((await ask(t, 'U_ADMIN', 'usage all')).all).toContain("Idle but kept running: 10.0 h — Keep running pressed by <@U_ADMIN> (<@U_ALICE>'s CRM demo)");
  });
});

test('many people: the savings stay two blocks, the top 20 named, each section within Slack’s 3000 characters', () => {
  const figures = (h: number) => ({ hours: h, storageCost: h * 0.001, runningCost: h * 0.067011, saved: h * 0.066011, costKnown: true });
  const byUser = new Map(Array.from({ length: 60 }, (_, i) => [`U_SE${String(i).padStart(3, '0')}`, figures(60 - i)] as const));
  const kept = Array.from({ length: 30 }, (_, i) => ({
    userId: `U_SE${String(i).padStart(3, '0')}`,
    ownerId: `U_SE${String(i).padStart(3, '0')}`,
    title: 'CRM demo',
    hours: 1,
  }));
  const blocks = savingsBlocks({ byUser, total: figures(1830), kept, keptHours: 30 }, TOP_USERS);
  expect(blocks).toHaveLength(2);
  const [list, keeps] = blocks.map((b) => JSON.stringify(b));
  expect(list).toContain('*Auto-suspend*: Suspended 1,830.0 h instead of running · saved USD 120.80 in all');
  expect(list).toContain('• <@U_SE000> — Suspended 60.0 h instead of running · saved USD 3.96');
  expect(list).toContain('…and 40 more');
  expect(keeps).toContain('Idle but kept running: 30.0 h — Keep running pressed by <@U_SE000> (CRM demo, 1.0 h)');
  expect(keeps).toContain('and 20 more');
  for (const b of blocks) expect(b.type === 'section' ? b.text!.text.length : JSON.stringify(b).length).toBeLessThan(3000);
});
