/** The fake Cloud Build, driven by the real @google-cloud/cloudbuild client (fallback: true, REST). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GcpCloudBuild } from '../../src/exports/cloud-build.ts';
import { FakeCloudBuild } from '../../sim/cloudbuild/index.ts';
import { eventually } from '../harness/app.ts';

const build = (dest: string) => ({
  steps: [{ name: 'gcr.io/compute-image-import/gce_vm_image_export:release', args: [`-destination_uri=${dest}`] }],
  tags: ['gce-daisy', 'gce-daisy-image-export'],
  timeout: '7200s',
});

describe('fake Cloud Build with the real client', () => {
  let fake: FakeCloudBuild;
  let cb: GcpCloudBuild;
  beforeAll(async () => {
    fake = new FakeCloudBuild({ queuedMs: 30, workingMs: 60 });
    fake.gcs.addBucket('out', 'US');
    const { url } = await fake.listen();
    cb = new GcpCloudBuild({ apiEndpoint: url });
  });
  afterAll(async () => {
    await cb?.close();
    await fake?.close();
  });

  test('a regional build goes QUEUED → WORKING → SUCCESS, with numeric statuses on the wire, and writes its object', async () => {
    const created = await cb.create('p1', 'us-central1', build('gs://out/a.vmdk'));
    expect(created.operationName).toMatch(/^projects\/p1\/locations\/us-central1\/operations\//);
    expect(created.build.status).toBe('QUEUED');
    expect(fake.calls.at(-1)).toMatchObject({ method: 'builds.create', path: '/v1/projects/p1/locations/us-central1/builds' });
    const ref = { project: 'p1', location: 'us-central1', id: created.build.id };
    const seen = new Set<string>();
    await eventually(
      async () => {
        const b = await cb.get(ref);
        seen.add(b.status);
        return b.status;
      },
      (s) => s === 'SUCCESS',
    );
    expect(seen.has('SUCCESS')).toBe(true);
    expect([...seen].every((s) => ['QUEUED', 'WORKING', 'SUCCESS'].includes(s))).toBe(true);
    expect(fake.gcs.object('out', 'a.vmdk')?.size).toBe(2_147_483_648);
    // The client asks for enum numbers ($alt=json;enum-encoding=int); Cloud Build sends SUCCESS as 3.
    const raw = await fetch(`${fake.url}/v1/projects/p1/locations/us-central1/builds/${ref.id}?$alt=json%3Benum-encoding=int`).then((r) => r.json());
    expect(raw).toMatchObject({ id: ref.id, status: 3, logUrl: expect.stringContaining(';region=us-central1/') });
    // The operation is done once the build is, with the Build as its response.
    const op = await fetch(`${fake.url}/v1/${created.operationName}`).then((r) => r.json());
    expect(op).toMatchObject({ done: true, response: { id: ref.id, status: 'SUCCESS' } });
  });

  test('global builds, cancel (twice is harmless), a told-to-fail build, and listing by tags', async () => {
    fake.hold();
    try {
      const a = await cb.create('p1', undefined, build('gs://out/b.vmdk'));
      expect(a.operationName).toMatch(/^operations\/build\/p1\//);
      const ref = { project: 'p1', id: a.build.id };
      await eventually(
        () => cb.get(ref),
        (b) => b.status === 'WORKING',
      );
      await cb.cancel(ref);
      expect((await cb.get(ref)).status).toBe('CANCELLED');
      await cb.cancel(ref);
      // A regional id is not found on the global endpoint.
      await expect(cb.get({ project: 'p1', location: 'us-central1', id: a.build.id })).rejects.toMatchObject({ kind: 'not_found' });
    } finally {
      fake.hold(false);
    }
    fake.failNext({ detail: '[image-export] Image "x" not found' });
    const failed = await cb.create('p1', undefined, build('gs://out/c.vmdk'));
    const end = await eventually(
      () => cb.get({ project: 'p1', id: failed.build.id }),
      (b) => b.status !== 'QUEUED' && b.status !== 'WORKING',
    );
    expect(end).toMatchObject({ status: 'FAILURE', detail: '[image-export] Image "x" not found' });
    expect(fake.gcs.object('out', 'c.vmdk')).toBeUndefined();

    const listed = await cb.listByTags('p1', undefined, ['gce-daisy-image-export']);
    expect(listed.map((b) => b.id)).toEqual([failed.build.id, expect.any(String)]);
    expect(listed[1]!.args).toEqual(['-destination_uri=gs://out/b.vmdk']);
    expect(await cb.listByTags('p1', undefined, ['something-else'])).toEqual([]);
    expect(fake.builds.every((b) => (b.request as { timeout?: string }).timeout === '7200s')).toBe(true);
  });

  test('refusals come back as error kinds the job understands', async () => {
    fake.injectFault({ method: 'builds.create', status: 503 });
    await expect(cb.create('p1', undefined, build('gs://out/d.vmdk'))).rejects.toMatchObject({ kind: 'unavailable', httpStatus: 503 });
    fake.injectFault({ method: 'builds.create', status: 403 });
    await expect(cb.create('p1', undefined, build('gs://out/d.vmdk'))).rejects.toMatchObject({ kind: 'permission', httpStatus: 403 });
    expect(fake.builds.filter((b) => JSON.stringify(b.request).includes('d.vmdk'))).toHaveLength(0);
    const empty = await fetch(`${fake.url}/v1/projects/p1/builds`, { method: 'POST', body: JSON.stringify({ steps: [] }) });
    expect(empty.status).toBe(400);
  });
});
