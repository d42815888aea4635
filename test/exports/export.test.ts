import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { dmSaying, exportInState, exportsOf, loadFixture, seedOwnedImage, temporaries } from './helpers.ts';

describe('export an image to Cloud Storage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ gce: { operationMs: 20, bootMs: 20 } });
    await seedOwnedImage(t, 'U_ALICE', 'alice-crm', 'Alice CRM v2');
  });
  afterAll(async () => t?.close());

  test('to vmdk: the build is the one gcloud sends, the DM ends with the file and its links, nothing temporary remains', async () => {
    const seen: string[] = [];
    const onMessage = (m: { text: string }) => seen.push(m.text);
    t.fake.events.on('message_updated', onMessage);
    t.fake.events.on('message_posted', onMessage);
    try {
      await t.slack.command({ user: 'U_ALICE', text: 'export alice-crm vmdk gs://demo-vm-exports/customers/acme' });
      await eventually(
        () => lastEphemeral(t, 'U_ALICE'),
        (s) => s.includes('gs://demo-vm-exports/customers/acme/alice-crm.vmdk'),
      );
      const done = await exportInState(t, 'U_ALICE', 'done');

      // Exactly one build, with gcloud's step, args and tags (the fixture cites gcloud's source).
      expect(t.cloudBuild.builds).toHaveLength(1);
      const build = t.cloudBuild.builds[0]!;
      const gcloud = loadFixture('gcloud-export-vmdk.json', { image: done.temp_image! });
      expect({ project: build.project, location: build.location }).toEqual(gcloud.endpoint);
      const sent = build.request as { steps: Array<{ name: string; args: string[] }>; tags: string[]; timeout: string };
      expect(sent.steps).toHaveLength(1);
      expect(sent.steps[0]!.name).toBe(gcloud.build.steps[0]!.name);
      const clientArg = (a: string) => /^-client_(id|version)=/.test(a);
      expect(sent.steps[0]!.args.filter((a) => !clientArg(a))).toEqual(gcloud.build.steps[0]!.args.filter((a) => !clientArg(a)));
      expect(sent.steps[0]!.args.filter(clientArg)).toEqual(gcloud.clientIdentity.apiCallersSend);
      expect(sent.tags).toEqual(gcloud.build.tags);
      expect(sent.timeout).toBe(gcloud.build.timeout);
      expect(sent).not.toHaveProperty('logsBucket');
      // gcloud makes the scratch bucket it names.
      expect(t.cloudBuild.gcs.buckets.has('demo-test-project-daisy-bkt-us')).toBe(true);

      // The final DM (edited right after the row is done): the gs:// URI, the Console link, the
      // size, the build log and a Download button with the signed link.
      const body = await dmSaying(t, done.id, 'is exported as VMDK');
      expect(body).toContain('gs://demo-vm-exports/customers/acme/alice-crm.vmdk');
      expect(body).toContain(
        'https://console.cloud.google.com/storage/browser/_details/demo-vm-exports/customers/acme/alice-crm.vmdk?project=demo-test-project',
      );
      expect(body).toContain('2.0 GiB');
      expect(body).toContain(`https://console.cloud.google.com/cloud-build/builds;region=us-central1/${build.id}?project=`);
      expect(done.signed_url).toMatch(/X-Goog-Algorithm=GOOG4-RSA-SHA256/);
      expect(done.signed_url).toContain('X-Goog-Expires=604800');
      expect(body).toContain(done.signed_url!);
      expect(Number(done.size_bytes)).toBe(2_147_483_648);
      // The signed link downloads from the (fake) bucket.
      expect((await fetch(done.signed_url!)).status).toBe(200);

      // One message, edited in place at every step.
      expect(t.fake.callsTo('chat.postMessage').filter((c) => String(c.args.text ?? '').includes('Alice CRM v2'))).toHaveLength(1);
      const order = ['creating instance', 'stopping instance', 'creating image', 'exported to'].map((w) => seen.findIndex((s) => s.includes(w)));
      expect(
        order.every((i) => i >= 0),
        JSON.stringify(seen),
      ).toBe(true);
      expect(
        [...order].sort((a, b) => a - b),
        JSON.stringify(seen),
      ).toEqual(order);

      // Nothing temporary is left, and the temporaries were what the export said they were.
      expect(temporaries(t)).toEqual({ instances: [], images: [] });
      const inserted = t.sim.requestsFor('instances.insert').map((r) => r.body as { name: string; labels: Record<string, string> });
      expect(inserted.at(-1)).toMatchObject({ name: done.temp_instance, labels: { purpose: 'export', 'managed-by': 'demo-vm', 'export-id': done.id } });
      const imaged = t.sim.requestsFor('images.insert').map((r) => r.body as { sourceDisk: string; labels: Record<string, string> });
      expect(imaged.at(-1)).toMatchObject({
        sourceDisk: `projects/demo-test-project/zones/${done.zone}/disks/${done.temp_instance}`,
        labels: { purpose: 'export' },
      });
      // Not demo hours, and audited.
      expect(await t.db.selectFrom('usage_intervals').selectAll().execute()).toHaveLength(0);
      const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'image.export').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor_id).toBe('U_ALICE');
      // Every step was recorded under the export.
      const steps = await t.db.selectFrom('steps').select(['step', 'done_at']).where('owner_kind', '=', 'export').where('owner_id', '=', done.id).execute();
      expect(steps.map((s) => s.step).sort()).toEqual(['build', 'delete-image', 'delete-instance', 'insert-image', 'insert-instance', 'stop-instance']);
    } finally {
      t.fake.events.off('message_updated', onMessage);
      t.fake.events.off('message_posted', onMessage);
    }
  });

  test("refusals: a bucket off the allow-list, an unknown format, someone else's image", async () => {
    const before = (await exportsOf(t)).length;
    const refusal = async (user: string, text: string) => {
      const mark = t.fake.ephemerals(user).length;
      await t.slack.command({ user, text });
      return eventually(
        () => t.fake.ephemerals(user).slice(mark).at(-1)?.text ?? '',
        (s) => s.length > 0,
      );
    };
    expect(await refusal('U_ALICE', 'export alice-crm vmdk gs://someone-elses-bucket/x')).toBe(
      'Exports may only go to `gs://demo-vm-exports`, `gs://demo-vm-exports-eu`; `gs://someone-elses-bucket` is not on the list. Ask an admin to add it to `EXPORT_BUCKETS`.',
    );
    // The format is the last word only when it is one: otherwise it is part of the image's name.
    expect(await refusal('U_ALICE', 'export alice-crm vmx')).toContain('I understood image `alice-crm vmx`');
    // Bob cannot even see Alice's private image; an official one he may see but not export.
    expect(await refusal('U_BOB', 'export alice-crm vmdk')).toContain('I understood image `alice-crm`');
    expect(await refusal('U_BOB', 'export crm-demo qcow2')).toBe("Only the image's owner or an admin can export it.");
    expect(await exportsOf(t)).toHaveLength(before);
    expect(t.cloudBuild.builds).toHaveLength(1);
  });
});

function lastEphemeral(t: TestApp, user: string): string {
  return t.fake.ephemerals(user).at(-1)?.text ?? '';
}
