import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MachineImage } from '../../src/platform/compute/port.ts';
import { appPathFromLabel } from '../../sim/gce/index.ts';
import { launch, PROJECT, rid, type Rig, startRig, ZONE } from './setup.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  // 250 catalog images among 300, so a filtered listing needs three pages of 100.
  for (let i = 0; i < 300; i++) {
    const n = String(i).padStart(3, '0');
    rig.sim.addMachineImage({ name: `img-${n}`, labels: i % 6 === 5 ? { team: 'ops' } : { 'demo-vm-catalog': 'true', n } });
  }
});
afterAll(() => rig.close());

test('listMachineImages filters on a label and pages with maxResults', async () => {
  const pages: MachineImage[][] = [];
  let pageToken: string | undefined;
  do {
    const page = await rig.compute.listMachineImages({ filter: 'labels.demo-vm-catalog=true', maxResults: 100, pageToken });
    pages.push(page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
  const names = pages.flat().map((m) => m.name);
  expect(new Set(names).size).toBe(250);
  expect(names).toEqual([...names].sort()); // GCE lists by name
  expect(names).not.toContain('img-005');
  const calls = rig.sim.requestsFor('machineImages.list').slice(-3);
  expect(calls.map((c) => c.query.maxResults)).toEqual(['100', '100', '100']);
  expect(calls.map((c) => c.query.filter)).toEqual(Array(3).fill('labels.demo-vm-catalog=true'));
});

test('filters on name and combined expressions', async () => {
  const byName = await rig.compute.listMachineImages({ filter: 'name = "img-01*"' });
  expect(byName.items.map((m) => m.name)).toEqual(Array.from({ length: 10 }, (_, i) => `img-01${i}`));
  const both = await rig.compute.listMachineImages({ filter: '(labels.team = ops) AND (name != img-005)' });
  expect(both.items).toHaveLength(49);
  const regex = await rig.compute.listMachineImages({ filter: "name eq 'img-00[0-3]'" });
  expect(regex.items.map((m) => m.name)).toEqual(['img-000', 'img-001', 'img-002', 'img-003']);
  const bad = await rig.compute.listMachineImages({ filter: 'labels.x = (' }).catch((e: unknown) => e);
  expect(bad).toMatchObject({ kind: 'invalid', httpStatus: 400 });
});

test('getMachineImage maps GCE’s shape; a missing one is null', async () => {
  const img = await rig.compute.getMachineImage('img-001');
  expect(img).toMatchObject({
    name: 'img-001',
    resourcePath: `projects/${PROJECT}/global/machineImages/img-001`,
    status: 'READY',
    labels: { 'demo-vm-catalog': 'true', n: '001' },
    totalStorageBytes: 4_194_304_000,
  });
  expect(img?.createdAt).toBeInstanceOf(Date);
  expect(await rig.compute.getMachineImage('img-nope')).toBeNull();
});

test('save an instance as a machine image, launch from it, then delete it', async () => {
  await launch(rig, 'demo-src', { image: 'img-000' });
  rig.sim.setTiming({ operationMs: 30 });
  try {
    const op = await rig.compute.insertMachineImage({
      name: 'img-saved',
      sourceInstance: { zone: ZONE, name: 'demo-src' },
      description: 'Saved by Ada',
      labels: { 'demo-vm-catalog': 'true', owner: 'u024be7lh' },
      requestId: rid(),
    });
    expect(op.zone).toBeUndefined(); // a global operation
    expect((await rig.compute.getMachineImage('img-saved'))?.status).toBe('CREATING');
    expect((await rig.compute.waitOperation(op)).error).toBeUndefined();
    const saved = await rig.compute.getMachineImage('img-saved');
    expect(saved).toMatchObject({ status: 'READY', description: 'Saved by Ada' });
    expect(saved?.sourceInstance).toBe(`https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}/instances/demo-src`);
    expect(rig.sim.requestsFor('globalOperations.wait').length).toBeGreaterThan(0);
  } finally {
    rig.sim.setTiming({ operationMs: 0 });
  }
  await launch(rig, 'demo-from-saved', { image: 'img-saved' });
  expect((await rig.compute.getInstance(ZONE, 'demo-from-saved'))?.sourceMachineImage).toBe(`projects/${PROJECT}/global/machineImages/img-saved`);

  const del = await rig.compute.deleteMachineImage('img-saved', rid());
  await rig.compute.waitOperation(del);
  expect(await rig.compute.getMachineImage('img-saved')).toBeNull();
});

test('saving a missing instance is not_found', async () => {
  const e = await rig.compute
    .insertMachineImage({ name: 'img-orphan', sourceInstance: { zone: ZONE, name: 'demo-none' }, requestId: rid() })
    .catch((err: unknown) => err);
  expect(e).toMatchObject({
    kind: 'not_found',
    httpStatus: 404,
    message: `The resource 'projects/${PROJECT}/zones/${ZONE}/instances/demo-none' was not found`,
  });
});

test('sample images: catalog ones carry GCE-valid app labels', async () => {
  const sim = (await startRig()).sim;
  try {
    sim.seedSampleImages();
    const catalog = sim.machineImages.filter((m) => m.labels['demo-vm-catalog'] === 'true');
    expect(catalog.map((m) => m.name).sort()).toEqual(['analytics-dashboard', 'crm-demo', 'linux-dev-box', 'retail-storefront']);
    expect(sim.machineImages.length).toBeGreaterThan(catalog.length);
    const crm = sim.machineImage('crm-demo')!;
    expect(crm.labels).toMatchObject({ 'app-port': '8080', 'app-scheme': 'http' });
    expect(appPathFromLabel(crm.labels['app-path'])).toBe('/crm/login');
    expect(appPathFromLabel('-')).toBe('/');
    expect(crm.description.length).toBeGreaterThan(20);
  } finally {
    await sim.close();
  }
});
