/**
 * One bad machine image never holds back the catalog (issue 22, finding 3): a NUL byte in a
 * description is cleaned at the GCE boundary, and an image the database refuses for any other reason
 * is skipped and reported (log and admin fleet) while the rest syncs. Simulator → real adapter →
 * syncCatalog → a real PostgreSQL database; the refusal is a real PostgreSQL trigger.
 */
import { sql } from 'kysely';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { syncCatalog } from '../../src/catalog/service.ts';
import { getImageByGceName } from '../../src/catalog/store.ts';
import { loadConfig } from '../../src/config.ts';
import type { WorkerContext } from '../../src/context.ts';
import { fleet } from '../../src/demos/fleet.ts';
import { fleetBlocks } from '../../src/demos/lifecycle-views.ts';
import { createLogger } from '../../src/platform/log.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { DbHandle } from '../../src/platform/db.ts';
import type { TestDatabase } from '../harness/postgres.ts';
import { PROJECT, closeRigWithDatabase, type Rig, startRigWithDatabase } from '../compute/setup.ts';

const CATALOG = { 'demo-vm-catalog': 'true' };
let rig: Rig;
let tdb: TestDatabase;
let h: DbHandle;
const logLines: string[] = [];
const log = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
});
const logged = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => void ({ rig, tdb, h } = await startRigWithDatabase()));
afterAll(() => closeRigWithDatabase({ rig, tdb, h }));

/** What syncCatalog and fleet (without orphans) use; a field they need and this lacks fails to compile. */
function workerContext(): Pick<WorkerContext, 'config' | 'db' | 'clock' | 'compute' | 'log'> {
  const config = loadConfig({ NODE_ENV: 'test', GCP_PROJECT: PROJECT, GCE_API_ENDPOINT: rig.sim.url, DATABASE_URL: tdb.url });
  return { config, db: h.db, clock: new ManualClock(), compute: rig.compute, log };
}

test('a NUL byte in a description is removed at the boundary: the image syncs, cleaned', async () => {
  rig.sim.addMachineImage({ name: 'nul-crm', labels: CATALOG, description: 'NUL CRM\nPipeline\u0000 and\u0007 deals' });
  rig.sim.addMachineImage({ name: 'plain-shop', labels: CATALOG, description: 'Plain shop\nA storefront' });
  expect(await syncCatalog(workerContext() as WorkerContext)).toMatchObject({ listed: 2, skipped: [] });
  expect(await getImageByGceName(h.db, PROJECT, 'nul-crm')).toMatchObject({ title: 'NUL CRM', description: 'Pipeline and deals' });
  expect(await getImageByGceName(h.db, PROJECT, 'plain-shop')).toMatchObject({ title: 'Plain shop' });
});

test('an image the database refuses is skipped and reported; new images appear, deleted ones retire, the refused one stays', async () => {
  // Whatever the cause, PostgreSQL refuses this one row: a trigger stands for any per-row failure.
  await sql`CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.gce_name = 'nul-crm' THEN RAISE EXCEPTION 'refused for the test: %', NEW.gce_name; END IF;
      RETURN NEW;
    END $$`.execute(h.db);
  await sql`CREATE TRIGGER refuse_poisoned BEFORE INSERT OR UPDATE ON images FOR EACH ROW EXECUTE FUNCTION refuse_poisoned()`.execute(h.db);
  rig.sim.addMachineImage({ name: 'zz-new-analytics', labels: CATALOG, description: 'New analytics\nCharts' });
  expect(rig.sim.deleteMachineImageNow('plain-shop')).toBe(true);

  const ctx = workerContext();
  const result = await syncCatalog(ctx as WorkerContext);
  expect(result.listed).toBe(1);
  expect(result.retired).toBe(1);
  expect(result.skipped).toEqual([{ name: 'nul-crm', reason: expect.stringContaining('refused for the test: nul-crm') }]);
  expect(logged()).toContainEqual(expect.objectContaining({ level: 40, image: 'nul-crm', message: 'catalog sync skipped a machine image' }));
  expect(await getImageByGceName(h.db, PROJECT, 'zz-new-analytics')).toMatchObject({ title: 'New analytics' });
  expect(await getImageByGceName(h.db, PROJECT, 'plain-shop')).toBeNull();
  // Still in GCE: its earlier entry stays in the catalog rather than being retired.
  expect(await getImageByGceName(h.db, PROJECT, 'nul-crm')).toMatchObject({ title: 'NUL CRM' });

  // The admin fleet says which image and why; the next clean sync clears it.
  const admin = { userId: 'U_ADMIN', isAdmin: true, isApprover: true };
  const shown = JSON.stringify(fleetBlocks(await fleet(ctx as WorkerContext, admin, { orphans: false }), { maxRows: 8 }));
  expect(shown).toContain('Catalog sync skipped 1 machine image');
  expect(shown).toContain('`nul-crm`: refused for the test: nul-crm');

  await sql`DROP TRIGGER refuse_poisoned ON images`.execute(h.db);
  expect(await syncCatalog(ctx as WorkerContext)).toMatchObject({ listed: 2, skipped: [] });
  const after = JSON.stringify(fleetBlocks(await fleet(ctx as WorkerContext, admin, { orphans: false }), { maxRows: 8 }));
  expect(after).not.toContain('Catalog sync skipped');
});
