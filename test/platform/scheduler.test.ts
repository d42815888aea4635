import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { claimPeriod, PRUNE_RUNS_TASK, pruneRunsTask } from '../../src/platform/scheduler.ts';
import { ManualClock, startTestApp, type TestApp } from '../harness/app.ts';

const DAY_MS = 24 * 3600_000;

describe('the claims of scheduled periods are pruned daily', () => {
  const clock = new ManualClock('2026-03-10T03:41:00Z');
  let t: TestApp;
  const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY_MS);
  const claims = async () =>
    (await t.db.selectFrom('scheduled_runs').select('period_key').where('task', '=', 'old-task').orderBy('period_key').execute()).map((r) => r.period_key);

  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  afterAll(async () => t?.close());

  test('the worker prunes claims older than a week, once a day across replicas', async () => {
    const prune = t.app.scheduler.tasks.find((task) => task.name === PRUNE_RUNS_TASK)!;
    expect(prune.cron).toBe('41 3 * * *');
    for (const days of [8, 7.5, 6]) await claimPeriod(t.db, 'old-task', `${days}d`, 'a-replica', daysAgo(days));

    await prune.tick(clock.now());
    expect(await claims()).toEqual(['6d']);

    // Another replica's tick in the same day finds the day claimed and prunes nothing.
    await claimPeriod(t.db, 'old-task', 'late', 'a-replica', daysAgo(9));
    await pruneRunsTask({ db: t.db, instanceId: 'another-replica' }).tick(clock.now());
    expect(await claims()).toEqual(['6d', 'late']);

    clock.advance(DAY_MS);
    await prune.tick(clock.now());
    expect(await claims()).toEqual(['6d']); // 7 days old now: kept until tomorrow
  });
});
