/** Pure rules: formats, destinations, and gcloud's arithmetic for timeouts, regions and bucket names. */
import { describe, expect, test } from 'vitest';
import { destinationUri, formatBytes, normalizePrefix, objectConsoleUrl, parseDestination, parseFormat } from '../../src/exports/formats.ts';
import { buildLocation, daisyBucketName, daisyTimeoutSeconds, exportBuildRequest } from '../../src/exports/gcloud.ts';
import { parseExportCommand } from '../../src/exports/service.ts';

describe('formats and destinations', () => {
  test.each([
    ['vmdk', 'vmdk'],
    ['VHDX', 'vhdx'],
    ['vhd', 'vpc'],
    ['vpc', 'vpc'],
    ['.qcow2', 'qcow2'],
    ['tar.gz', 'tar.gz'],
    ['gce', 'tar.gz'],
    ['vmx', null],
    ['', null],
  ])('format %s → %s', (word, format) => {
    expect(parseFormat(word)).toBe(format);
  });

  test('object names: prefix + image name + the extension of the format', () => {
    const d = { bucket: 'b', prefix: 'customers/acme/' };
    expect(destinationUri(d, 'crm', 'vmdk')).toBe('gs://b/customers/acme/crm.vmdk');
    expect(destinationUri(d, 'crm', 'vpc')).toBe('gs://b/customers/acme/crm.vhd');
    expect(destinationUri({ bucket: 'b', prefix: '' }, 'crm', 'tar.gz')).toBe('gs://b/crm.tar.gz');
    expect(destinationUri(d, 'crm', 'vdi')).toMatch(/\.vdi$/);
    expect(destinationUri(d, 'crm', 'vhdx')).toMatch(/\.vhdx$/);
    expect(destinationUri(d, 'crm', 'qcow2')).toMatch(/\.qcow2$/);
  });

  test('destinations and folders people type', () => {
    expect(parseDestination('gs://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseDestination('gs://my-bucket/a//b')).toEqual({ bucket: 'my-bucket', prefix: 'a/b/' });
    expect(parseDestination('s3://x/y')).toHaveProperty('error');
    expect(parseDestination('gs://UPPER/x')).toHaveProperty('error');
    expect(normalizePrefix('/x/y/')).toBe('x/y/');
    expect(normalizePrefix('a/../b')).toHaveProperty('error');
    expect(normalizePrefix('a b')).toHaveProperty('error');
    expect(objectConsoleUrl('gs://b/a dir/x.vmdk', 'p')).toBe('https://console.cloud.google.com/storage/browser/_details/b/a%20dir/x.vmdk?project=p');
    expect(formatBytes(2_147_483_648)).toBe('2.0 GiB');
    expect(formatBytes(512)).toBe('512 bytes');
  });

  test('/demo export <image> [format] [gs://bucket/folder]', () => {
    expect(parseExportCommand(['crm', 'VMDK', 'gs://bkt/f'])).toEqual({ image: 'crm', format: 'vmdk', destination: { bucket: 'bkt', prefix: 'f/' } });
    expect(parseExportCommand(['Acme', 'CRM', 'gs://bkt'])).toEqual({ image: 'Acme CRM', destination: { bucket: 'bkt', prefix: '' } });
    expect(() => parseExportCommand(['crm', 'gs://b'])).toThrow('`b` is not a valid bucket name.');
    expect(() => parseExportCommand([])).toThrow('Say which image to export');
    // Only the last known format counts; other words belong to the image's name.
    expect(parseExportCommand(['crm', 'vmdk', 'qcow2'])).toEqual({ image: 'crm vmdk', format: 'qcow2' });
    expect(parseExportCommand(['Contoso', 'CRM', '—', 'EMEA', 'edition', 'qcow2'])).toEqual({ image: 'Contoso CRM — EMEA edition', format: 'qcow2' });
  });
});

describe("gcloud's arithmetic (daisy_utils.py)", () => {
  test('GetDaisyTimeout: 3% earlier than the build, at least 30 s, at most 300 s, never below 1 s', () => {
    expect(daisyTimeoutSeconds(7200)).toBe(6984);
    expect(daisyTimeoutSeconds(600)).toBe(570);
    expect(daisyTimeoutSeconds(86_400)).toBe(86_100);
    expect(daisyTimeoutSeconds(10)).toBe(1);
  });

  test('GetDaisyBucketName + _GetSafeBucketName', () => {
    expect(daisyBucketName('demo-test-project', 'US')).toBe('demo-test-project-daisy-bkt-us');
    expect(daisyBucketName('example.com:proj', 'EUROPE-WEST1')).toBe('example-com-proj-daisy-bkt-europe-west1');
    expect(daisyBucketName('my-google-proj', 'US')).toBe('my-go-ogle-proj-daisy-bkt-us');
    expect(daisyBucketName('googly-proj', null)).toBe('go-ogly-proj-daisy-bkt');
    expect(daisyBucketName(`p${'x'.repeat(70)}`, 'US')).toHaveLength(63);
  });

  test('regional Cloud Build where gcloud uses it', () => {
    expect(buildLocation('us-central1-a')).toBe('us-central1');
    expect(buildLocation('europe-west1-b')).toBe('europe-west1');
    expect(buildLocation('europe-west9-a')).toBeUndefined();
  });

  test('the GCE tar.gz gets no -format, and args are sorted as _RunCloudBuild sorts them', () => {
    const req = exportBuildRequest({
      project: 'p',
      zone: 'us-central1-a',
      sourceImage: 'projects/p/global/images/i',
      destinationUri: 'gs://b/i.tar.gz',
      format: 'tar.gz',
      scratchBucket: 'p-daisy-bkt-us',
    });
    const args = req.steps[0]!.args;
    expect(args.some((a) => a.startsWith('-format'))).toBe(false);
    expect(args).toEqual([...args].sort());
  });
});
