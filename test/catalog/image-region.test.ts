/**
 * Catalog sync records where each image lives: the region of the machine image's source instance,
 * else its storage location. Simulator (GCE's MachineImage fields) → real adapter → syncCatalog →
 * a real PostgreSQL database.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { imageRegion } from '../../src/catalog/image-labels.ts';
import { syncCatalog } from '../../src/catalog/service.ts';
import { getImageByGceName } from '../../src/catalog/store.ts';
import { loadConfig } from '../../src/config.ts';
import type { WorkerContext } from '../../src/context.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { DbHandle } from '../../src/platform/db.ts';
import type { TestDatabase } from '../harness/postgres.ts';
import { labelsFor, PROJECT, rid, closeRigWithDatabase, type Rig, startRigWithDatabase } from '../compute/setup.ts';

const CATALOG = { 'demo-vm-catalog': 'true' };
const EU = 'europe-west1-b';
let rig: Rig;
let tdb: TestDatabase;
let h: DbHandle;

beforeAll(async () => void ({ rig, tdb, h } = await startRigWithDatabase()));
afterAll(() => closeRigWithDatabase({ rig, tdb, h }));

test('the simulator reports sourceInstance as a zonal URL and storageLocations as GCE does', async () => {
  // Saved from a VM in Europe: GCE stores it in the multi-region nearest the VM unless told otherwise.
  rig.sim.addInstance({ zone: EU, name: 'demo-eu', labels: labelsFor('eu') });
  const op = await rig.compute.insertMachineImage({ name: 'saved-eu', sourceInstance: { zone: EU, name: 'demo-eu' }, labels: CATALOG, requestId: rid() });
  expect((await rig.compute.waitOperation(op)).error).toBeUndefined();
  const saved = await rig.compute.getMachineImage('saved-eu');
  expect(saved?.sourceInstance).toBe(`https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${EU}/instances/demo-eu`);
  expect(saved?.storageLocations).toEqual(['eu']);

  // Seeded with an explicit regional location, and one without any source instance.
  rig.sim.addMachineImage({
    name: 'golden-us',
    labels: CATALOG,
    sourceInstance: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/us-central1-c/instances/golden`,
    storageLocations: ['us-central1'],
  });
  rig.sim.addMachineImage({ name: 'imported-asia', labels: CATALOG, storageLocations: ['asia-east1'] });
  expect((await rig.compute.getMachineImage('golden-us'))?.storageLocations).toEqual(['us-central1']);
  expect((await rig.compute.getMachineImage('imported-asia'))?.sourceInstance).toBeUndefined();
});

test('catalog sync stores each image’s region: its source VM’s region, else its storage location', async () => {
  const config = loadConfig({ NODE_ENV: 'test', GCP_PROJECT: PROJECT, GCE_API_ENDPOINT: rig.sim.url, DATABASE_URL: tdb.url });
  const ctx = { config, db: h.db, clock: new ManualClock(), compute: rig.compute } as Pick<WorkerContext, 'config' | 'db' | 'clock' | 'compute'>;
  expect(await syncCatalog(ctx as WorkerContext)).toMatchObject({ listed: 3 });
  const region = async (name: string) => (await getImageByGceName(h.db, PROJECT, name))?.region;
  expect(await region('saved-eu')).toBe('europe-west1');
  expect(await region('golden-us')).toBe('us-central1');
  expect(await region('imported-asia')).toBe('asia-east1');
});

test('imageRegion reads a relative source path too, and gives null when GCE says nothing', () => {
  expect(imageRegion({ sourceInstance: 'projects/p/zones/us-east4-b/instances/x' })).toBe('us-east4');
  expect(imageRegion({ storageLocations: ['us'] })).toBe('us');
  expect(imageRegion({})).toBeNull();
});
