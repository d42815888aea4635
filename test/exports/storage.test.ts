/** The storage port over the real @google-cloud/storage, against the fake bucket API, signing offline. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createExportStorage, type GcsExportStorage } from '../../src/exports/storage.ts';
import { FakeCloudBuild } from '../../sim/cloudbuild/index.ts';

describe('export storage', () => {
  let fake: FakeCloudBuild;
  let storage: GcsExportStorage;
  beforeAll(async () => {
    fake = new FakeCloudBuild();
    fake.gcs.addBucket('exports-us', 'US');
    fake.gcs.putObject('exports-us', 'folder/crm demo.vmdk', 123_456_789);
    const { url } = await fake.listen();
    storage = createExportStorage({ project: 'p1', apiEndpoint: url });
  });
  afterAll(async () => fake?.close());

  test('bucket location, scratch bucket creation (idempotent), object size', async () => {
    expect(await storage.bucketLocation('exports-us')).toBe('US');
    expect(await storage.bucketLocation('nope-bucket')).toBeNull();
    await storage.ensureBucket('p1-daisy-bkt-us', 'US');
    await storage.ensureBucket('p1-daisy-bkt-us', 'US');
    expect(fake.gcs.buckets.get('p1-daisy-bkt-us')).toMatchObject({ location: 'US', project: 'p1' });
    expect(await storage.objectSize('gs://exports-us/folder/crm demo.vmdk')).toBe(123_456_789);
    expect(await storage.objectSize('gs://exports-us/folder/missing.vmdk')).toBeNull();
  });

  test('V4 signed URLs: the library signs with a local key; more than 7 days is clamped to 7 and says so', async () => {
    const week = await storage.signedUrl('gs://exports-us/folder/crm demo.vmdk', 10);
    expect(week.clamped).toBe(true);
    expect(week.days).toBe(7);
    const url = new URL(week.url);
    expect(url.pathname).toBe('/exports-us/folder/crm%20demo.vmdk');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      'X-Goog-Algorithm': 'GOOG4-RSA-SHA256',
      'X-Goog-Expires': '604800',
      'X-Goog-SignedHeaders': 'host',
      'X-Goog-Credential': expect.stringMatching(/^demo-vm-local-signer@p1\.iam\.gserviceaccount\.com\/\d{8}\/auto\/storage\/goog4_request$/),
      'X-Goog-Signature': expect.stringMatching(/^[0-9a-f]{512}$/),
    });
    expect(week.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect((await fetch(week.url)).status).toBe(200);

    const three = await storage.signedUrl('gs://exports-us/folder/crm demo.vmdk', 3);
    expect(three).toMatchObject({ clamped: false, days: 3 });
    expect(new URL(three.url).searchParams.get('X-Goog-Expires')).toBe('259200');
  });

  test('a refusal from Cloud Storage is a permission error, not a missing object', async () => {
    fake.injectFault({ method: 'storage', status: 403 });
    await expect(storage.objectSize('gs://exports-us/folder/crm demo.vmdk')).rejects.toMatchObject({ kind: 'permission', httpStatus: 403 });
  });
});
