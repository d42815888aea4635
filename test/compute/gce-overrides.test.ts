/**
 * GCE's rules the simulator enforces for inserts from a machine image, driven through the real compute
 * client: a field given in the request replaces the image's; a network interface on another region's
 * subnet is refused with GCE's error; a VM stops by itself at its run limit.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GcpError, type InsertInstanceRequest } from '../../src/platform/compute/port.ts';
import { labelsFor, PROJECT, rid, type Rig, startRig } from './setup.ts';

let rig: Rig;
let now = new Date('2026-03-02T09:00:00Z');
const golden = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/us-central1-a/instances/golden`;
const placement: NonNullable<InsertInstanceRequest['placement']> = {
  externalIp: true,
  tags: [],
  metadata: { 'enable-oslogin': 'TRUE' },
  serviceAccount: null,
  maxRunSeconds: 3600,
};

beforeAll(async () => {
  rig = await startRig({ now: () => now });
  rig.sim.addMachineImage({ name: 'golden-us', sourceInstance: golden, metadata: { 'startup-script': 'echo hi' }, tags: ['demo-vm-app'] });
});
afterAll(async () => rig?.close());

/** An insert straight through the client, as a caller that does not merge would send it. */
async function rawInsert(name: string, zone: string, extra: object) {
  const res = await fetch(`${rig.sim.url}/compute/v1/projects/${PROJECT}/zones/${zone}/instances?requestId=${rid()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, sourceMachineImage: `projects/${PROJECT}/global/machineImages/golden-us`, ...extra }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** An insert through the adapter, which merges the placement into the image's properties. */
function adapterInsert(name: string, zone: string, extra: Partial<typeof placement> = {}) {
  return rig.compute.insertInstance({
    name,
    zone,
    sourceMachineImage: 'golden-us',
    labels: labelsFor(name),
    placement: { ...placement, ...extra },
    requestId: rid(),
  });
}

test("metadata sent alone replaces the image's: its startup script is gone (why the adapter merges)", async () => {
  const { status } = await rawInsert('alone', 'us-central1-a', { metadata: { items: [{ key: 'enable-oslogin', value: 'TRUE' }] } });
  expect(status).toBe(200);
  const vm = rig.sim.instance('us-central1-a', 'alone')!;
  expect(vm.metadata.items).toEqual([{ key: 'enable-oslogin', value: 'TRUE' }]);
  expect(vm.tags.items).toEqual(['demo-vm-app']); // not sent: the image's
});

test("the adapter's insert keeps the image's metadata and tags", async () => {
  const op = await adapterInsert('merged', 'us-central1-a', { tags: ['extra'] });
  expect((await rig.compute.waitOperation(op)).error).toBeUndefined();
  const vm = rig.sim.instance('us-central1-a', 'merged')!;
  expect(vm.metadata.items).toEqual([
    { key: 'startup-script', value: 'echo hi' },
    { key: 'enable-oslogin', value: 'TRUE' },
  ]);
  expect(vm.tags.items).toEqual(['demo-vm-app', 'extra']);
});

test('a launch into another region without a subnet fails as GCE fails it: 400, the subnetwork field named', async () => {
  const { status, body } = await rawInsert('elsewhere', 'europe-west1-b', {});
  expect(status).toBe(400);
  const subnet = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/us-central1/subnetworks/default`;
  expect(body.error).toMatchObject({
    code: 400,
    message: `Invalid value for field 'resource.networkInterfaces[0].subnetwork': '${subnet}'. Subnetwork should belong to the region of the instance. Region of the instance: europe-west1.`,
    errors: [{ domain: 'global', reason: 'invalid' }],
  });
  const viaClient = adapterInsert('elsewhere', 'europe-west1-b');
  await expect(viaClient).rejects.toBeInstanceOf(GcpError);
  await expect(viaClient).rejects.toMatchObject({ kind: 'invalid', httpStatus: 400 });
  expect(rig.sim.instance('europe-west1-b', 'elsewhere')).toBeUndefined();
});

test('GCE stops a VM at its run limit, stamped with the moment the limit passed; setScheduling needs a stopped VM', async () => {
  const op = await adapterInsert('limited', 'us-central1-a');
  await rig.compute.waitOperation(op);
  const started = rig.sim.instance('us-central1-a', 'limited')!.lastStartTimestamp!;
  await expect(rig.compute.setMaxRunDuration({ zone: 'us-central1-a', name: 'limited', seconds: 7200, requestId: rid() })).rejects.toMatchObject({
    httpStatus: 400,
  });

  now = new Date(Date.parse(started) + 3599_000);
  rig.sim.enforceRunLimits();
  expect((await rig.compute.getInstance('us-central1-a', 'limited'))?.status).toBe('RUNNING');
  now = new Date(Date.parse(started) + 5 * 3600_000);
  rig.sim.enforceRunLimits();
  const vm = (await rig.compute.getInstance('us-central1-a', 'limited'))!;
  expect(vm.status).toBe('TERMINATED');
  expect(vm.lastStopAt).toEqual(new Date(Date.parse(started) + 3600_000));
  expect(vm.maxRunSeconds).toBe(3600);

  await rig.compute.waitOperation(await rig.compute.setMaxRunDuration({ zone: 'us-central1-a', name: 'limited', seconds: 7200, requestId: rid() }));
  expect((await rig.compute.getInstance('us-central1-a', 'limited'))?.maxRunSeconds).toBe(7200);
});
