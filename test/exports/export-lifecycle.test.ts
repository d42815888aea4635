import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockText, imageIdOf, openCatalog, waitForView } from '../harness/flows.ts';
import { dmSaying, exportDm, exportInState, exportsOf, seedOwnedImage, temporaries } from './helpers.ts';

/** The builds the fake Cloud Build received for one destination object. */
function buildsFor(t: TestApp, uri: string) {
  return t.cloudBuild.builds.filter((b) => (b.request.steps as Array<{ args: string[] }>)[0]!.args.includes(`-destination_uri=${uri}`));
}

describe('exports that fail, are cancelled, or outlive a restart', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ gce: { operationMs: 20, bootMs: 20 } });
    await seedOwnedImage(t, 'U_CAROL', 'carol-erp', 'Carol ERP');
  });
  afterEach(() => {
    t.cloudBuild.hold(false);
    t.sim.setTiming({ operationMs: 20 });
  });
  afterAll(async () => t?.close());

  test('the build fails: the user is told why, and the temporary VM and image are removed', async () => {
    t.cloudBuild.failNext({ detail: '[image-export] qemu-img: error while writing sector 4194304: No space left on device' });
    await t.slack.command({ user: 'U_CAROL', text: 'export carol-erp qcow2 gs://demo-vm-exports/failing' });
    const failed = await exportInState(t, 'U_CAROL', 'failed');
    expect(failed.failure_reason).toBe(
      'The export build ended with FAILURE: [image-export] qemu-img: error while writing sector 4194304: No space left on device',
    );
    // The DM is edited last, once the clean-up is done.
    const body = await dmSaying(t, failed.id, 'Exporting *Carol ERP* failed.');
    expect(body).toContain('No space left on device');
    expect(body).toContain('Build log');
    expect(body).not.toContain('exports.cancel');
    expect(temporaries(t)).toEqual({ instances: [], images: [] });
    expect(t.sim.requestsFor('images.delete')).toHaveLength(1);
  });

  test('Cancel while the build runs: the build is cancelled and everything temporary removed', async () => {
    t.cloudBuild.hold();
    await t.slack.command({ user: 'U_CAROL', text: 'export carol-erp vhdx gs://demo-vm-exports/cancelled' });
    const running = await exportInState(t, 'U_CAROL', 'running', 'build_working');
    const [build] = buildsFor(t, running.destination_uri);
    expect(build?.status).toBe('WORKING');
    await dmSaying(t, running.id, 'The build is running');
    const dm = exportDm(t, running);

    await t.slack.action({ user: 'U_CAROL', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'exports.cancel' });
    const cancelled = await exportInState(t, 'U_CAROL', 'cancelled');
    await dmSaying(t, cancelled.id, 'Export of *Carol ERP* cancelled');
    expect(build!.status).toBe('CANCELLED');
    expect(temporaries(t)).toEqual({ instances: [], images: [] });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'export.cancel').where('resource_id', '=', cancelled.id).execute();
    expect(audit.map((a) => a.actor_id)).toEqual(['U_CAROL']);
    expect(t.cloudBuild.gcs.object('demo-vm-exports', 'cancelled/carol-erp.vhdx')).toBeUndefined();
  });

  test('Cancel before the build: no build is ever started, and the VM made so far is removed', async () => {
    t.sim.setTiming({ operationMs: 600 });
    const buildsBefore = t.cloudBuild.builds.length;
    await t.slack.command({ user: 'U_CAROL', text: 'export carol-erp vdi gs://demo-vm-exports/early' });
    const early = await exportInState(t, 'U_CAROL', 'running', 'creating_instance');
    await dmSaying(t, early.id, 'Cancel export');
    const dm = exportDm(t, (await exportsOf(t, 'U_CAROL')).at(-1)!);
    await t.slack.action({ user: 'U_CAROL', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'exports.cancel' });
    await dmSaying(t, early.id, 'cancelled');
    expect(t.cloudBuild.builds).toHaveLength(buildsBefore);
    expect(temporaries(t)).toEqual({ instances: [], images: [] });
  });

  test('the app restarts while the build runs: the job goes on waiting on the same build, and never starts a second', async () => {
    t.cloudBuild.hold();
    await t.slack.command({ user: 'U_CAROL', text: 'export carol-erp vmdk gs://demo-vm-exports/restart' });
    const running = await exportInState(t, 'U_CAROL', 'running', 'build_working');
    const creates = () => t.cloudBuild.calls.filter((c) => c.method === 'builds.create').length;
    const createsBefore = creates();

    await t.restart();
    t.cloudBuild.release();
    const done = await exportInState(t, 'U_CAROL', 'done');
    expect(done.id).toBe(running.id);
    expect(buildsFor(t, done.destination_uri)).toHaveLength(1);
    expect(buildsFor(t, done.destination_uri)[0]!.id).toBe(done.build_id);
    expect(creates()).toBe(createsBefore);
    // The restarted app polled the recorded build (regional endpoint) until it ended.
    expect(t.cloudBuild.calls.filter((c) => c.method === 'builds.get' && c.path.endsWith(`/builds/${done.build_id}`)).length).toBeGreaterThan(1);
    await dmSaying(t, done.id, 'is exported as VMDK');
    expect(temporaries(t)).toEqual({ instances: [], images: [] });
  });

  test('a build started but never recorded (a crash between the call and the record) is found again, not started twice', async () => {
    t.cloudBuild.hold();
    await t.slack.command({ user: 'U_CAROL', text: 'export carol-erp qcow2 gs://demo-vm-exports/lost-record' });
    const running = await exportInState(t, 'U_CAROL', 'running', 'build_working');
    // What a crash right after builds.create leaves: the step claimed, no operation, no build id.
    await t.db
      .updateTable('steps')
      .set({ operation_name: null })
      .where('owner_kind', '=', 'export')
      .where('owner_id', '=', running.id)
      .where('step', '=', 'build')
      .execute();
    await t.db.updateTable('exports').set({ build_id: null }).where('id', '=', running.id).execute();
    const recovered = await eventually(
      () => t.db.selectFrom('steps').select('operation_name').where('owner_id', '=', running.id).where('step', '=', 'build').executeTakeFirst(),
      (r) => Boolean(r?.operation_name),
    );
    expect(recovered!.operation_name).toMatch(/^recovered:/);
    t.cloudBuild.release();
    const done = await exportInState(t, 'U_CAROL', 'done');
    expect(done.id).toBe(running.id);
    expect(buildsFor(t, done.destination_uri)).toHaveLength(1);
    expect(done.build_id).toBe(buildsFor(t, done.destination_uri)[0]!.id);
    expect(t.cloudBuild.calls.some((c) => c.method === 'builds.list')).toBe(true);
  });

  test('from the image details: Export… opens the modal; GCE tar.gz to another allowed bucket has no -format', async () => {
    const browse = await openCatalog(t, 'U_CAROL');
    const imageId = await imageIdOf(t, 'carol-erp');
    await t.slack.action({ user: 'U_CAROL', on: { viewId: browse.id }, actionId: 'catalog.open_detail', choice: imageId });
    const detail = await waitForView(t, 'U_CAROL', 'catalog.detail', new Set([browse.id]));
    await t.slack.action({ user: 'U_CAROL', on: { viewId: detail.id }, actionId: 'exports.open', choice: imageId });
    const form = await waitForView(t, 'U_CAROL', 'exports.modal', new Set([browse.id, detail.id]));
    expect(blockText(form.blocks)).toContain('gs://demo-vm-exports-eu');

    const bad = await t.slack.submit({
      user: 'U_CAROL',
      viewId: form.id,
      values: { 'exports.format': 'tar.gz', 'exports.bucket': 'demo-vm-exports-eu', 'exports.prefix': '../up' },
    });
    expect(bad.body).toMatchObject({ response_action: 'errors', errors: { 'exports.prefix_block': expect.stringContaining('`..`') } });
    const before = (await exportsOf(t, 'U_CAROL')).length;
    await t.slack.submit({
      user: 'U_CAROL',
      viewId: form.id,
      values: { 'exports.format': 'tar.gz', 'exports.bucket': 'demo-vm-exports-eu', 'exports.prefix': 'handover/' },
    });
    await eventually(
      () => exportsOf(t, 'U_CAROL'),
      (rows) => rows.length > before,
    );
    const done = await exportInState(t, 'U_CAROL', 'done');
    expect(done.destination_uri).toBe('gs://demo-vm-exports-eu/handover/carol-erp.tar.gz');
    const args = (buildsFor(t, done.destination_uri)[0]!.request.steps as Array<{ args: string[] }>)[0]!.args;
    expect(args.some((a) => a.startsWith('-format='))).toBe(false);
    expect(args).toContain('-scratch_bucket_gcs_path=gs://demo-test-project-daisy-bkt-europe-west1/');
  });

  test('an admin may export an official image; a second export to the same file while one runs is refused', async () => {
    t.cloudBuild.hold();
    await t.slack.command({ user: 'U_ADMIN', text: 'export crm-demo vpc' });
    const running = await exportInState(t, 'U_ADMIN', 'running', 'build_working');
    expect(running.destination_uri).toBe('gs://demo-vm-exports/crm-demo.vhd');
    const mark = t.fake.ephemerals('U_ADMIN').length;
    await t.slack.command({ user: 'U_ADMIN', text: 'export crm-demo vpc' });
    const text = await eventually(
      () => t.fake.ephemerals('U_ADMIN').slice(mark).at(-1)?.text ?? '',
      (s) => s.length > 0,
    );
    expect(text).toContain('`gs://demo-vm-exports/crm-demo.vhd` is being written by another export right now');
    expect(await exportsOf(t, 'U_ADMIN')).toHaveLength(1);
    t.cloudBuild.release();
    await exportInState(t, 'U_ADMIN', 'done');
  });
});
