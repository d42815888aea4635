import { expect, test } from 'vitest';
import { simulate } from '../../scripts/simulate-week.ts';
import { simulationMarkdown } from '../../scripts/week/markdown.ts';

/**
 * A smoke run of `npm run simulate:week`: 3 people over one simulated day, both weeks. Not the
 * figures (docs/SIMULATION.md has those) but their consistency: the same launches in both weeks,
 * waste within the running hours, nothing suspended without auto-suspend, a report that says so.
 */
test('a simulated day of three people: both runs act out the same plan, and the figures agree with each other', { timeout: 240_000 }, async () => {
  const options = { seed: 7, users: 3, days: 1, tickMinutes: 1, stepSeconds: 15, weekStart: new Date('2026-03-02T00:00:00Z') };
  const r = await simulate(options);
  for (const w of [r.on, r.off]) {
    expect(w.launchesPlanned).toBeGreaterThan(0);
    expect(w.launched).toBe(w.launchesPlanned);
    // A launch late in the day may still be starting when the day ends (sooner on a loaded machine).
    expect(w.ready).toBeLessThanOrEqual(w.launched);
    expect(w.ready).toBeGreaterThanOrEqual(w.launched - 1);
    expect(w.sessions).toBeLessThanOrEqual(w.ready);
    expect(w.failed).toBe(0);
    expect(w.errors).toBe(0);
    expect(w.wasteHours).toBeLessThanOrEqual(w.vmHours + 1e-9);
    expect(w.vmHours).toBeGreaterThan(0);
    expect(w.cost.max).toBeGreaterThanOrEqual(w.cost.p50);
    expect(w.cost.total).toBeCloseTo(w.cost.mean * options.users, 6);
  }
  expect(r.off.launchesPlanned).toBe(r.on.launchesPlanned);
  expect(r.off.suspendedHours).toBe(0);
  expect(r.off.suspensions).toBe(0);
  expect(r.off.warningsSeen).toBe(0);
  // Auto-suspend turns running hours into suspended ones; never more running than without it.
  expect(r.on.vmHours).toBeLessThanOrEqual(r.off.vmHours + 0.1);
  expect(r.on.keepPresses).toBeLessThanOrEqual(r.on.warningsSeen);
  const md = simulationMarkdown(options, r);
  expect(md).toContain(`Seed 7 · 3 simulated sales engineers`);
  expect(md).toContain(`| VM-hours running (usage_intervals) | ${r.on.vmHours.toFixed(1)} | ${r.off.vmHours.toFixed(1)} |`);
});
