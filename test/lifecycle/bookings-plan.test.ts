import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { insertDemo } from '../accounting/fixtures.ts';
import { marginSeconds, modelAppUpSeconds, modelCloneSeconds, planLaunch } from '../../src/demos/booking-plan.ts';
import { catalogImageId } from './helpers.ts';

/** When a booking starts: the image's own launch history once it has some, the timing model before. */

describe('the lead time of a booking', () => {
  test('the timing model (docs/SIMULATOR.md): 15 s + 1.5 s/GB + 17 s OS + the app’s start; the margin a fifth, at least a minute', () => {
    expect(modelAppUpSeconds({ storageGb: 10, appStartSeconds: null, hasApp: true })).toBe(77);
    expect(modelCloneSeconds({ storageGb: 10, appStartSeconds: null, hasApp: true })).toBe(107);
    expect(modelCloneSeconds({ storageGb: 10, appStartSeconds: 20, hasApp: true })).toBe(67);
    expect(modelCloneSeconds({ storageGb: 4, appStartSeconds: null, hasApp: false })).toBe(21); // no app: ready when RUNNING
    expect(marginSeconds(107)).toBe(60);
    expect(marginSeconds(400)).toBe(80);
  });

  describe('from history', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => t?.close());

    test('with five cloned launches or more, the p95 of their ready_seconds replaces the model; pooled ones are counted apart', async () => {
      const image = await catalogImageId(t, 'analytics-dashboard');
      const T = new Date('2026-03-10T09:00:00Z');
      const b = { imageId: image, zone: 'us-central1-a', machineType: 'e2-medium', readyBy: T };
      expect((await planLaunch(t.db, b)).basis).toBe('model');

      const seconds = [20, 22, 25, 30, 40, 90];
      for (const [i, s] of seconds.entries()) {
        const id = await insertDemo(t, {
          owner: 'U_ERIN',
          imageId: image,
          state: 'deleted',
          intervals: [[`2026-03-0${i + 1}T08:00:00Z`, `2026-03-0${i + 1}T09:00:00Z`]],
        });
        await t.db.updateTable('demos').set({ ready_seconds: s }).where('id', '=', id).execute();
      }
      // A pooled launch's resume is not a clone's history.
      const pooled = await insertDemo(t, { owner: 'U_ERIN', imageId: image, state: 'deleted', intervals: [['2026-03-08T08:00:00Z', '2026-03-08T09:00:00Z']] });
      await t.db.updateTable('demos').set({ ready_seconds: 500, from_pool: true }).where('id', '=', pooled).execute();

      // p95 of 20, 22, 25, 30, 40, 90 (interpolated): 40 + 0.75 × 50 = 77.5 → 78 s to RUNNING, then its app
      // (no app-start-seconds label: 17 s OS + 60 s) → 155 s; margin a fifth, 31 s → at least 60 s.
      const plan = await planLaunch(t.db, b);
      expect(plan).toMatchObject({ basis: 'history', expectedSeconds: 155, pooled: false });
      expect(plan.launchAt.toISOString()).toBe(new Date(T.getTime() - (155 + 60) * 1000).toISOString());
    });
  });
});
