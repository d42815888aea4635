/**
 * Machine types from GCE into the database: the simulator's machineTypes.list as GCE answers it, the
 * real adapter (real @google-cloud/compute client, paging) over it, and refreshMachineTypes into a
 * real PostgreSQL database.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { refreshMachineTypes } from '../../src/machine-types/service.ts';
import { listForZones } from '../../src/machine-types/store.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { DbHandle } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/log.ts';
import type { TestDatabase } from '../harness/postgres.ts';
import { PROJECT, closeRigWithDatabase, type Rig, startRigWithDatabase, ZONE } from '../compute/setup.ts';

const EU = 'europe-west1-b';
let rig: Rig;
let tdb: TestDatabase;
let h: DbHandle;
const clock = new ManualClock('2026-03-02T09:00:00Z');
const log = createLogger({ level: 'silent' });

// Pages of 2: every listing below spans several pages.
beforeAll(async () => void ({ rig, tdb, h } = await startRigWithDatabase({}, { listPageSize: 2 })));
afterAll(() => closeRigWithDatabase({ rig, tdb, h }));

describe('the simulator answers machineTypes as GCE does', () => {
  test('list: compute#machineTypeList with items and nextPageToken; an item is a MachineType', async () => {
    const base = `${rig.sim.url}/compute/v1/projects/${PROJECT}/zones/${ZONE}/machineTypes`;
    const first = (await (await fetch(`${base}?maxResults=3`)).json()) as {
      kind: string;
      items: Array<Record<string, unknown>>;
      nextPageToken?: string;
      selfLink: string;
    };
    expect(first.kind).toBe('compute#machineTypeList');
    expect(first.items).toHaveLength(3);
    expect(first.nextPageToken).toEqual(expect.any(String));
    expect(first.selfLink).toBe(`https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}/machineTypes`);
    const micro = (await (await fetch(`${base}/e2-micro`)).json()) as Record<string, unknown>;
    expect(micro).toMatchObject({
      kind: 'compute#machineType',
      name: 'e2-micro',
      guestCpus: 2,
      memoryMb: 1024,
      isSharedCpu: true,
      zone: ZONE, // GCE's MachineType.zone is the zone's name
      selfLink: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}/machineTypes/e2-micro`,
      maximumPersistentDisksSizeGb: expect.any(String), // int64 as a string, as GCE writes it
    });
    expect(micro['id']).toMatch(/^\d+$/);
    const unknownZone = await fetch(`${rig.sim.url}/compute/v1/projects/${PROJECT}/zones/mars-north1-a/machineTypes`);
    expect(unknownZone.status).toBe(400);
    expect((await fetch(`${base}/e2-huge`)).status).toBe(404);
  });
});

describe('GceCompute.listMachineTypes', () => {
  test('reads every page of a zone, with sizes as GCE gives them', async () => {
    rig.sim.clearRequests();
    const types = await rig.compute.listMachineTypes(ZONE);
    expect(types.map((t) => t.name).sort()).toEqual([...rig.sim.machineTypes(ZONE).map((t) => t.name)].sort());
    // 11 types in pages of 2.
    expect(rig.sim.requestsFor('machineTypes.list').length).toBe(Math.ceil(types.length / 2));
    const byName = Object.fromEntries(types.map((t) => [t.name, t]));
    expect(byName['e2-micro']).toEqual({
      name: 'e2-micro',
      zone: ZONE,
      guestCpus: 2,
      memoryMb: 1024,
      isSharedCpu: true,
      description: expect.stringContaining('shared physical core'),
    });
    expect(byName['e2-small']).toMatchObject({ guestCpus: 2, memoryMb: 2048, isSharedCpu: true });
    expect(byName['e2-medium']).toMatchObject({ guestCpus: 2, memoryMb: 4096, isSharedCpu: true });
    expect(byName['e2-standard-2']).toMatchObject({ guestCpus: 2, memoryMb: 8192, isSharedCpu: false });
    expect(byName['e2-standard-4']).toMatchObject({ guestCpus: 4, memoryMb: 16384, isSharedCpu: false });
    expect(byName['n2-standard-2']).toMatchObject({ guestCpus: 2, memoryMb: 8192, isSharedCpu: false });
    expect(byName['n1-standard-1']).toMatchObject({ guestCpus: 1, memoryMb: 3840, isSharedCpu: false });
  });

  test('an unknown zone is refused as GCE refuses it', async () => {
    await expect(rig.compute.listMachineTypes('mars-north1-a')).rejects.toMatchObject({ name: 'GcpError', kind: 'invalid' });
  });
});

describe('refreshMachineTypes', () => {
  const config = (machineTypes: string[], zones = [ZONE, EU]) => ({ gce: { zones, machineTypes } });

  test('stores the allowed types of the allowed zones only', async () => {
    const res = await refreshMachineTypes({
      db: h.db,
      compute: rig.compute,
      config: config(['e2-medium', 'e2-standard-2', 'n2-standard-2', 'x9-nonexistent-2']),
      clock,
      log,
    });
    expect(res).toEqual({ stored: { [ZONE]: 3, [EU]: 3 }, failed: [] });
    const stored = await listForZones(h.db, PROJECT, [ZONE, EU]);
    expect(stored.map((t) => `${t.zone}/${t.name}`)).toEqual([
      `${EU}/e2-medium`,
      `${EU}/e2-standard-2`,
      `${EU}/n2-standard-2`,
      `${ZONE}/e2-medium`,
      `${ZONE}/e2-standard-2`,
      `${ZONE}/n2-standard-2`,
    ]);
    expect(stored[0]).toEqual({ project: PROJECT, zone: EU, name: 'e2-medium', guestCpus: 2, memoryMb: 4096, isSharedCpu: true, refreshedAt: clock.now() });
    // Other zones of the project are not touched (nor read).
    expect(await listForZones(h.db, PROJECT, ['us-central1-b'])).toEqual([]);
  });

  test('a refresh replaces a zone’s list: types no longer allowed go, the rest are refreshed', async () => {
    const later = clock.advance(3_600_000);
    await refreshMachineTypes({ db: h.db, compute: rig.compute, config: config(['e2-micro', 'e2-medium'], [ZONE]), clock, log });
    const zone = await listForZones(h.db, PROJECT, [ZONE]);
    expect(zone.map((t) => [t.name, t.refreshedAt])).toEqual([
      ['e2-micro', later],
      ['e2-medium', later],
    ]);
    // The zone not refreshed this time keeps its last list.
    expect((await listForZones(h.db, PROJECT, [EU])).map((t) => t.name)).toEqual(['e2-medium', 'e2-standard-2', 'n2-standard-2']);
  });

  test('a zone that fails keeps its last list while the others refresh; all failing throws', async () => {
    rig.sim.injectFault({ method: 'machineTypes.list', kind: 'permission', zone: EU });
    const res = await refreshMachineTypes({ db: h.db, compute: rig.compute, config: config(['e2-small'], [ZONE, EU]), clock, log });
    expect(res).toEqual({ stored: { [ZONE]: 1 }, failed: [EU] });
    expect((await listForZones(h.db, PROJECT, [ZONE])).map((t) => t.name)).toEqual(['e2-small']);
    expect((await listForZones(h.db, PROJECT, [EU])).map((t) => t.name)).toEqual(['e2-medium', 'e2-standard-2', 'n2-standard-2']);

    rig.sim.injectFault({ method: 'machineTypes.list', kind: 'permission', times: 2 });
    await expect(refreshMachineTypes({ db: h.db, compute: rig.compute, config: config(['e2-small'], [ZONE, EU]), clock, log })).rejects.toMatchObject({
      kind: 'permission',
    });
    expect((await listForZones(h.db, PROJECT, [ZONE])).map((t) => t.name)).toEqual(['e2-small']);
  });
});
