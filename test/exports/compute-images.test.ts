/** Images and disks through the real compute clients (the Compute port) against the simulator. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GcpError, operationFailure } from '../../src/platform/compute/port.ts';
import { launch, PROJECT, rid, startRig, ZONE, type Rig } from '../compute/setup.ts';

describe('images from a disk, and boot disks', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ operationMs: 10 });
  });
  afterAll(async () => rig?.close());

  const stop = async (name: string) => {
    const op = await rig.compute.stopInstance(ZONE, name, rid());
    expect((await rig.compute.waitOperation(op)).error).toBeUndefined();
  };

  test('an instance made from a machine image has a boot disk of its own name, with a size, that goes with it', async () => {
    await launch(rig, 'export-disk-a');
    const vm = await rig.compute.getInstance(ZONE, 'export-disk-a');
    expect(vm?.bootDisk).toBe(`projects/${PROJECT}/zones/${ZONE}/disks/export-disk-a`);
    const disk = await rig.compute.getDisk(ZONE, 'export-disk-a');
    expect(disk).toMatchObject({ name: 'export-disk-a', zone: ZONE, sizeGb: 20, status: 'READY' });
    expect(disk!.users).toEqual([expect.stringMatching(/\/zones\/us-central1-a\/instances\/export-disk-a$/)]);

    const op = await rig.compute.deleteInstance(ZONE, 'export-disk-a', rid());
    await rig.compute.waitOperation(op);
    expect(await rig.compute.getDisk(ZONE, 'export-disk-a')).toBeNull();
    expect(rig.sim.disk(ZONE, 'export-disk-a')).toBeUndefined();
  });

  test('images.insert from the disk of a running VM is refused; once stopped it makes a READY labelled image', async () => {
    await launch(rig, 'export-disk-b');
    const sourceDisk = (await rig.compute.getInstance(ZONE, 'export-disk-b'))!.bootDisk!;
    const refused = await rig.compute.insertImage({ name: 'img-b', sourceDisk, labels: { purpose: 'export' }, requestId: rid() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GcpError);
    expect(refused).toMatchObject({ kind: 'invalid', httpStatus: 400, reason: 'resourceInUseByAnotherResource' });

    await stop('export-disk-b');
    rig.sim.setTiming({ operationMs: 300 }); // long enough to see the image PENDING
    const requestId = rid();
    const op = await rig.compute.insertImage({ name: 'img-b', sourceDisk, labels: { purpose: 'export', 'managed-by': 'demo-vm' }, requestId });
    expect((await rig.compute.getImage('img-b'))?.status).toBe('PENDING');
    // The same requestId is the same operation, not a second image.
    const again = await rig.compute.insertImage({ name: 'img-b', sourceDisk, labels: { purpose: 'export' }, requestId });
    expect(again.name).toBe(op.name);
    expect((await rig.compute.waitOperation(op)).error).toBeUndefined();
    rig.sim.setTiming({ operationMs: 10 });
    const image = await rig.compute.getImage('img-b');
    expect(image).toMatchObject({
      name: 'img-b',
      resourcePath: `projects/${PROJECT}/global/images/img-b`,
      status: 'READY',
      labels: { purpose: 'export', 'managed-by': 'demo-vm' },
      diskSizeGb: 20,
      sourceDisk,
    });

    const dup = await rig.compute.insertImage({ name: 'img-b', sourceDisk, requestId: rid() }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ kind: 'conflict', httpStatus: 409 });
    const del = await rig.compute.deleteImage('img-b', rid());
    expect((await rig.compute.waitOperation(del)).error).toBeUndefined();
    expect(await rig.compute.getImage('img-b')).toBeNull();
  });

  test('labels are checked, a missing disk is a 404, faults are injectable both ways', async () => {
    await launch(rig, 'export-disk-c');
    await stop('export-disk-c');
    const sourceDisk = `zones/${ZONE}/disks/export-disk-c`;
    await expect(rig.compute.insertImage({ name: 'img-c', sourceDisk, labels: { Purpose: 'export' }, requestId: rid() })).rejects.toMatchObject({
      kind: 'invalid',
      httpStatus: 400,
    });
    await expect(rig.compute.insertImage({ name: 'img-c', sourceDisk: `zones/${ZONE}/disks/nope`, requestId: rid() })).rejects.toMatchObject({
      kind: 'not_found',
    });

    rig.sim.injectFault({ method: 'images.insert', kind: 'backend' });
    await expect(rig.compute.insertImage({ name: 'img-c', sourceDisk, requestId: rid() })).rejects.toMatchObject({ kind: 'unavailable', httpStatus: 503 });

    rig.sim.injectOperationError({ method: 'images.insert', code: 'QUOTA_EXCEEDED' });
    const op = await rig.compute.insertImage({ name: 'img-c', sourceDisk, requestId: rid() });
    const failure = operationFailure(await rig.compute.waitOperation(op));
    expect(failure).toMatchObject({ kind: 'quota', reason: 'QUOTA_EXCEEDED' });
    expect(await rig.compute.getImage('img-c')).toBeNull();

    rig.sim.injectFault({ method: 'images.get', kind: 'permission' });
    await expect(rig.compute.getImage('img-c')).rejects.toMatchObject({ kind: 'permission' });
    // Deleting a disk in use is refused, as GCE does: it goes with its instance.
    const res = await fetch(`${rig.sim.url}/compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/export-disk-c`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { errors: [{ reason: 'resourceInUseByAnotherResource' }] } });
  });
});
