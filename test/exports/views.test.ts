/** The export DM and modal are pure functions of data. */
import { describe, expect, test } from 'vitest';
import type { Export } from '../../src/exports/store.ts';
import { exportModal, statusMessage } from '../../src/exports/views.ts';
import { checkMessage, checkView } from '../../sim/slack/index.ts';

const base: Export = {
  id: '3f1c2d4e-0000-4000-8000-000000000001',
  imageId: 'img',
  requesterId: 'U_ALICE',
  format: 'vmdk',
  destinationUri: 'gs://bkt/x/crm.vmdk',
  state: 'running',
  progress: 'build_working',
  zone: 'us-central1-a',
  tempInstance: 'export-x',
  tempImage: 'export-x',
  buildId: 'b1',
  logUrl: 'https://console.cloud.google.com/cloud-build/builds;region=us-central1/b1?project=1&a=b',
  sizeBytes: null,
  signedUrl: null,
  signedUrlExpiresAt: null,
  failureReason: null,
  dmChannel: null,
  dmTs: null,
  createdAt: new Date('2026-03-02T09:00:00Z'),
  finishedAt: null,
};
const ctx = { imageTitle: 'CRM <demo>', project: 'p', askedDays: 7 };

describe('export views', () => {
  test('while running: the steps, the build log, a Cancel button; user text is escaped', () => {
    const m = statusMessage(base, ctx);
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('CRM &lt;demo&gt;');
    expect(text).toContain('exports.cancel');
    expect(text).toContain('?project=1&amp;a=b|Build log>');
    expect(text).toContain(':white_check_mark: Make an image of its boot disk');
  });

  test('done: links and the clamp note when more than 7 days were asked for', () => {
    const done = {
      ...base,
      state: 'done' as const,
      progress: 'done' as const,
      sizeBytes: 5 * 1024 ** 3,
      signedUrl: 'http://x/bkt/x/crm.vmdk?X-Goog-Expires=604800&X-Goog-Signature=ab',
      signedUrlExpiresAt: new Date('2026-03-09T09:00:00Z'),
    };
    const text = JSON.stringify(statusMessage(done, { ...ctx, askedDays: 10 }).blocks);
    expect(text).toContain('5.0 GiB');
    expect(text).toContain('storage/browser/_details/bkt/x/crm.vmdk?project=p');
    expect(text).toContain('the 10 days configured were shortened');
    expect(text).not.toContain('exports.cancel');
    expect(JSON.stringify(statusMessage(done, ctx).blocks)).not.toContain('shortened');
    // One download control: the button, not also a link beside the Console and build log.
    expect(text.split(done.signedUrl.replaceAll('&', '&amp;')).length - 1 + text.split(done.signedUrl).length - 1).toBe(1);
    expect(text).toContain('"action_id":"exports.download"');
  });

  test('failed and cancelled say so; the modal offers every format and only allowed buckets', () => {
    expect(JSON.stringify(statusMessage({ ...base, state: 'failed', failureReason: 'Build *x* failed' }, ctx).blocks)).toContain('failed.\\nBuild *x* failed');
    expect(statusMessage({ ...base, state: 'cancelled' }, ctx).text).toBe('Export of CRM &lt;demo&gt; cancelled');
    const modal = exportModal({ id: 'img', title: 'CRM', displayName: 'crm-4k2x', gceName: 'crm' }, { buckets: ['a-bkt', 'b-bkt'], defaultBucket: 'b-bkt' });
    const text = JSON.stringify(modal);
    for (const f of ['vmdk', 'vhdx', 'vpc', 'vdi', 'qcow2', 'tar.gz']) expect(text).toContain(`"value":"${f}"`);
    expect(text).toContain('"initial_option":{"text":{"type":"plain_text","text":"gs://b-bkt"');
    expect((modal as { title: { text: string } }).title.text.length).toBeLessThanOrEqual(24);
    expect(checkView(modal)).toBeNull();
    expect(checkMessage(statusMessage(base, ctx))).toBeNull();
  });
});
