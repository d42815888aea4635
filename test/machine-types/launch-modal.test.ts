import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { openLaunchModal } from '../harness/flows.ts';
import { machineTypesCapability } from '../../src/machine-types/index.ts';

/** The web role shows machine types from the table the worker fills from GCE (machineTypes.list). */
let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(async () => t?.close());

test('the launch modal offers each allowed machine type with its vCPUs and memory, read from the database', async () => {
  // The worker's start-up refresh reads every allowed zone from the simulator.
  await eventually(
    () => t.db.selectFrom('machine_types').select('name').where('zone', '=', t.config.gce.defaultZone).execute(),
    (rows) => rows.length === t.config.gce.machineTypes.length,
  );
  const select = JSON.stringify((await openLaunchModal(t)).blocks);
  expect(select).toContain('e2-medium · 2 shared vCPU · 4 GB');
  expect(select).toContain('e2-standard-2 · 2 vCPU · 8 GB');
  expect(select).toContain('n2-standard-2 · 2 vCPU · 8 GB');
  // A type GCE does not list is still offered (configuration decides), by name and price alone.
  await t.db.deleteFrom('machine_types').where('name', '=', 'e2-standard-4').execute();
  expect(JSON.stringify((await openLaunchModal(t)).blocks)).toMatch(/"text":"e2-standard-4 · USD 0\.134\/h"/);
});

test('a worker start reads GCE again only for a zone whose list is missing or older than a day', async () => {
  const lists = () => t.sim.requestsFor('machineTypes.list').length;
  await eventually(
    () => t.db.selectFrom('machine_types').select('zone').distinct().execute(),
    (rows) => rows.length === t.config.gce.zones.length,
  );
  const before = lists();
  await machineTypesCapability.afterStart!(t.app.worker!);
  expect(lists()).toBe(before);
  await t.db
    .updateTable('machine_types')
    .set({ refreshed_at: new Date(Date.now() - 2 * 24 * 3600_000) })
    .where('zone', '=', t.config.gce.zones[0]!)
    .execute();
  await machineTypesCapability.afterStart!(t.app.worker!);
  expect(lists()).toBeGreaterThan(before);
});
