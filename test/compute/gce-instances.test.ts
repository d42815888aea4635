import { afterAll, beforeAll, expect, test } from 'vitest';
import { GcpError } from '../../src/platform/compute/port.ts';
import { labelsFor, launch, PROJECT, rid, type Rig, startRig, ZONE } from './setup.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  rig.sim.addMachineImage({ name: 'crm-golden', machineType: 'e2-standard-2', labels: { 'demo-vm-catalog': 'true' } });
});
afterAll(() => rig.close());

async function refusal(p: Promise<unknown>): Promise<GcpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GcpError);
  return e as GcpError;
}

test('insert from a machine image, wait, and the instance is RUNNING with labels and IPs', async () => {
  const op = await rig.compute.insertInstance({
    name: 'demo-a1',
    zone: ZONE,
    sourceMachineImage: 'crm-golden', // a bare name: the adapter expands it
    labels: labelsFor('a1'),
    requestId: rid(),
  });
  expect(op.zone).toBe(ZONE);
  expect(op.name).toMatch(/^operation-\d+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/);

  const done = await rig.compute.waitOperation(op, { timeoutMs: 5_000 });
  expect(done).toMatchObject({ status: 'DONE' });
  expect(done.error).toBeUndefined();
  expect(done.targetLink).toContain(`/projects/${PROJECT}/zones/${ZONE}/instances/demo-a1`);

  const vm = await rig.compute.getInstance(ZONE, 'demo-a1');
  expect(vm).toMatchObject({
    name: 'demo-a1',
    zone: ZONE,
    status: 'RUNNING',
    machineType: 'e2-standard-2', // copied from the machine image
    labels: { 'managed-by': 'demo-vm', 'demo-id': 'a1', owner: 'u024be7lh' },
    sourceMachineImage: `projects/${PROJECT}/global/machineImages/crm-golden`,
  });
  expect(vm?.externalIp).toBe('127.0.0.1'); // each simulated VM answers on a port of its own there
  expect(vm?.internalIp).toMatch(/^127\.0\.2\.\d+$/); // simulated internal IPs stay on this machine
  expect(vm?.createdAt).toBeInstanceOf(Date);
  expect(vm?.lastStartAt!.getTime()).toBeGreaterThanOrEqual(vm!.createdAt!.getTime());

  // The wire request carried the requestId and the partial machine image path.
  const [insert] = rig.sim.requestsFor('instances.insert').filter((r) => (r.body as { name?: string }).name === 'demo-a1');
  expect(insert?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(insert?.body).toMatchObject({ sourceMachineImage: `projects/${PROJECT}/global/machineImages/crm-golden` });
});

test('an explicit machine type overrides the image and is sent as zones/Z/machineTypes/T', async () => {
  const op = await rig.compute.insertInstance({
    name: 'demo-mt',
    zone: ZONE,
    sourceMachineImage: `projects/${PROJECT}/global/machineImages/crm-golden`,
    machineType: 'n2-standard-4',
    labels: labelsFor('mt'),
    requestId: rid(),
  });
  await rig.compute.waitOperation(op);
  expect((await rig.compute.getInstance(ZONE, 'demo-mt'))?.machineType).toBe('n2-standard-4');
  const sent = rig.sim.requestsFor('instances.insert').find((r) => (r.body as { name?: string }).name === 'demo-mt');
  expect(sent?.body).toMatchObject({ machineType: `zones/${ZONE}/machineTypes/n2-standard-4` });
});

test('the same requestId twice creates one instance and returns the same operation', async () => {
  const req = { name: 'demo-twice', zone: ZONE, sourceMachineImage: 'crm-golden', labels: labelsFor('twice'), requestId: rid() };
  const first = await rig.compute.insertInstance(req);
  await rig.compute.waitOperation(first);
  const second = await rig.compute.insertInstance(req); // the instance exists now: without the requestId this would be a 409
  expect(second).toEqual(first);
  const sent = rig.sim.requestsFor('instances.insert').filter((r) => r.requestId === req.requestId);
  expect(sent.map((r) => r.status)).toEqual([200, 200]);
  expect(rig.sim.instances.filter((i) => i.name === 'demo-twice')).toHaveLength(1);
  expect(rig.sim.operations.filter((o) => o.clientOperationId === req.requestId)).toHaveLength(1);
});

test('a duplicate name with a new requestId is a 409 conflict', async () => {
  const e = await refusal(rig.compute.insertInstance({ name: 'demo-twice', zone: ZONE, sourceMachineImage: 'crm-golden', labels: {}, requestId: rid() }));
  expect(e).toMatchObject({ kind: 'conflict', httpStatus: 409, reason: 'alreadyExists' });
  expect(e.message).toBe(`The resource 'projects/${PROJECT}/zones/${ZONE}/instances/demo-twice' already exists`);
});

test('an invalid name is refused with 400 and GCE’s message', async () => {
  const e = await refusal(rig.compute.insertInstance({ name: 'Demo_1', zone: ZONE, sourceMachineImage: 'crm-golden', labels: {}, requestId: rid() }));
  expect(e).toMatchObject({ kind: 'invalid', httpStatus: 400, reason: 'invalid' });
  expect(e.message).toBe(
    "Invalid value for field 'resource.name': 'Demo_1'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})'",
  );
  expect(rig.sim.instance(ZONE, 'Demo_1')).toBeUndefined();
});

test('an uppercase label value is refused with 400 and GCE’s message', async () => {
  const labels = { ...labelsFor('x'), owner: 'U024BE7LH' };
  const e = await refusal(rig.compute.insertInstance({ name: 'demo-upper', zone: ZONE, sourceMachineImage: 'crm-golden', labels, requestId: rid() }));
  expect(e).toMatchObject({ kind: 'invalid', httpStatus: 400, reason: 'invalid' });
  expect(e.message).toBe(
    "Invalid value for field 'resource.labels': ''. Label value 'U024BE7LH' violates format constraints. The value can only contain lowercase letters, numeric characters, underscores and dashes. The value can be at most 63 characters long. International characters are allowed.",
  );
  expect(rig.sim.instance(ZONE, 'demo-upper')).toBeUndefined();
});

test('a missing machine image, an unknown machine type and an unknown zone are refused', async () => {
  const base = { name: 'demo-bad', zone: ZONE, sourceMachineImage: 'no-such-image', labels: {}, requestId: rid() };
  expect(await refusal(rig.compute.insertInstance(base))).toMatchObject({
    kind: 'not_found',
    httpStatus: 404,
    message: `The resource 'projects/${PROJECT}/global/machineImages/no-such-image' was not found`,
  });
  const badType = await refusal(rig.compute.insertInstance({ ...base, sourceMachineImage: 'crm-golden', machineType: 'e2-huge', requestId: rid() }));
  expect(badType).toMatchObject({ kind: 'invalid', httpStatus: 400 });
  expect(badType.message).toContain(`Machine type with name 'e2-huge' does not exist in zone '${ZONE}'`);
  const badZone = await refusal(rig.compute.insertInstance({ ...base, zone: 'mars-north1-a', sourceMachineImage: 'crm-golden', requestId: rid() }));
  expect(badZone).toMatchObject({ kind: 'invalid', httpStatus: 400, message: "Invalid value for field 'zone': 'mars-north1-a'. Unknown zone." });
});

test('a non-UUID requestId is refused as GCE does', async () => {
  const e = await refusal(rig.compute.stopInstance(ZONE, 'demo-a1', 'stop-demo-a1'));
  expect(e).toMatchObject({ kind: 'invalid', httpStatus: 400 });
  expect(e.message).toContain("Invalid value for field 'requestId': 'stop-demo-a1'");
});

test('getInstance of a missing instance is null (a 404 underneath)', async () => {
  expect(await rig.compute.getInstance(ZONE, 'demo-nobody')).toBeNull();
  expect(rig.sim.requestsFor('instances.get').at(-1)?.status).toBe(404);
});

test('stop, start and delete go through GCE’s statuses', async () => {
  rig.sim.setTiming({ operationMs: 40, bootMs: 40 });
  try {
    const ins = await rig.compute.insertInstance({
      name: 'demo-life',
      zone: ZONE,
      sourceMachineImage: 'crm-golden',
      labels: labelsFor('life'),
      requestId: rid(),
    });
    expect((await rig.compute.getInstance(ZONE, 'demo-life'))?.status).toBe('PROVISIONING');
    expect((await rig.compute.getOperation(ins)).status).toBe('RUNNING');
    await rig.compute.waitOperation(ins);
    const running = await rig.compute.getInstance(ZONE, 'demo-life');
    expect(running?.status).toBe('RUNNING');

    const stop = await rig.compute.stopInstance(ZONE, 'demo-life', rid());
    expect((await rig.compute.getInstance(ZONE, 'demo-life'))?.status).toBe('STOPPING');
    expect(await rig.compute.waitOperation(stop)).toMatchObject({ status: 'DONE' });
    const stopped = await rig.compute.getInstance(ZONE, 'demo-life');
    expect(stopped).toMatchObject({ status: 'TERMINATED', externalIp: undefined }); // ephemeral NAT IP released
    expect(stopped?.lastStopAt!.getTime()).toBeGreaterThanOrEqual(running!.lastStartAt!.getTime());

    const start = await rig.compute.startInstance(ZONE, 'demo-life', rid());
    expect(['PROVISIONING', 'STAGING']).toContain((await rig.compute.getInstance(ZONE, 'demo-life'))?.status);
    await rig.compute.waitOperation(start);
    const again = await rig.compute.getInstance(ZONE, 'demo-life');
    expect(again?.status).toBe('RUNNING');
    expect(again?.externalIp).toBe('127.0.0.1');
    expect(again?.lastStartAt!.getTime()).toBeGreaterThanOrEqual(stopped!.lastStopAt!.getTime());

    // The adapter reads the instants GCE wrote with an offset (…-08:00) exactly.
    const raw = rig.sim.instance(ZONE, 'demo-life')!;
    expect(again?.lastStartAt).toEqual(new Date(raw.lastStartTimestamp!));
    expect(raw.lastStartTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00$/);
    rig.sim.setInstanceStatus(ZONE, 'demo-life', 'SUSPENDED');
    expect((await rig.compute.getInstance(ZONE, 'demo-life'))?.lastSuspendedAt).toEqual(new Date(raw.lastSuspendedTimestamp!));
    rig.sim.setInstanceStatus(ZONE, 'demo-life', 'RUNNING');

    const del = await rig.compute.deleteInstance(ZONE, 'demo-life', rid());
    expect((await rig.compute.getInstance(ZONE, 'demo-life'))?.status).toBe('STOPPING');
    await rig.compute.waitOperation(del);
    expect(await rig.compute.getInstance(ZONE, 'demo-life')).toBeNull();
  } finally {
    rig.sim.setTiming({ operationMs: 0, bootMs: 0 });
  }
});

test('stopping a missing instance is not_found', async () => {
  expect(await refusal(rig.compute.stopInstance(ZONE, 'demo-ghost', rid()))).toMatchObject({ kind: 'not_found', httpStatus: 404, reason: 'notFound' });
});

test('a change behind the app’s back shows on the next read', async () => {
  await launch(rig, 'demo-behind');
  rig.sim.stopInstanceNow(ZONE, 'demo-behind');
  expect((await rig.compute.getInstance(ZONE, 'demo-behind'))?.status).toBe('TERMINATED');
  rig.sim.deleteInstanceNow(ZONE, 'demo-behind');
  expect(await rig.compute.getInstance(ZONE, 'demo-behind')).toBeNull();
});

test('setLabels replaces the labels when given the fingerprint they were read with; a stale one is refused with 412', async () => {
  await rig.compute.waitOperation(await launch(rig, 'demo-relabel'), { timeoutMs: 5_000 });
  const before = (await rig.compute.getInstance(ZONE, 'demo-relabel'))!;
  expect(before.labelFingerprint).toMatch(/.+/);
  const labels = { ...before.labels, owner: 'u_bob' };
  const op = await rig.compute.setInstanceLabels({ zone: ZONE, name: 'demo-relabel', labels, labelFingerprint: before.labelFingerprint!, requestId: rid() });
  expect(await rig.compute.waitOperation(op, { timeoutMs: 5_000 })).toMatchObject({ status: 'DONE' });
  const after = (await rig.compute.getInstance(ZONE, 'demo-relabel'))!;
  expect(after.labels).toEqual(labels);
  expect(after.labelFingerprint).not.toBe(before.labelFingerprint);
  // The wire request is GCE's: InstancesSetLabelsRequest in the body, the requestId in the query.
  const [sent] = rig.sim.requestsFor('instances.setLabels');
  expect(sent?.body).toEqual({ labels, labelFingerprint: before.labelFingerprint });
  expect(sent?.requestId).toMatch(/^[0-9a-f-]{36}$/);

  // Someone changed them meanwhile: the old fingerprint no longer counts.
  const stale = await refusal(
    rig.compute.setInstanceLabels({
      zone: ZONE,
      name: 'demo-relabel',
      labels: { owner: 'u_carol' },
      labelFingerprint: before.labelFingerprint!,
      requestId: rid(),
    }),
  );
  expect(stale).toMatchObject({ kind: 'conflict', httpStatus: 412 });
  expect((await rig.compute.getInstance(ZONE, 'demo-relabel'))!.labels).toEqual(labels);
});
