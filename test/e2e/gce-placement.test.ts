/**
 * Launches as a real project needs them (issue #21): the image's region decides the zones offered, a
 * launch elsewhere carries that region's subnet, and the insert merges our tags, metadata and network
 * interface into the machine image's own, with the service account and GCE's run limit — as they go on
 * the wire to the GCE simulator, which applies GCE's override rule.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { syncCatalog } from '../../src/catalog/service.ts';
import { blockText, clickOnStatusDm, demoInState, launchFromCatalog, openLaunchModal, statusDm, topView } from '../harness/flows.ts';

const PROJECT = 'demo-test-project';
const EU_SUBNET = `projects/${PROJECT}/regions/europe-west1/subnetworks/demo-eu`;
const SA = { email: `demo-vms@${PROJECT}.iam.gserviceaccount.com`, scopes: ['https://www.googleapis.com/auth/cloud-platform'] };
/** DEMO_MAX_TTL_HOURS (72 by default) plus an hour's grace. */
const RUN_LIMIT = String(73 * 3600);

const insertOf = (t: TestApp, demoId: string) => {
  const sent = t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demoId));
  expect(sent).toHaveLength(1);
  return sent[0]!.body as Record<string, any>;
};

/** The zone options of the launch modal a user opens for an image. */
async function zonesOffered(t: TestApp, user: string, gceName: string): Promise<string[]> {
  const launch = await openLaunchModal(t, user, gceName);
  const zone = launch.blocks.find((b: any) => b.block_id === 'demos.zone_block') as any;
  return zone.element.options.map((o: any) => o.value);
}

describe('with a subnet for europe-west1, a service account and network tags', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { GCE_SUBNETS: `europe-west1=${EU_SUBNET}`, DEMO_SERVICE_ACCOUNT: SA.email, GCE_NETWORK_TAGS: 'demo-vm,allow-iap', READINESS_TIMEOUT_SECONDS: '1' },
    });
  });
  afterAll(async () => t?.close());

  test('an image made in us-central1-a launched in europe-west1-b gets the europe-west1 subnet and runs', async () => {
    expect(await zonesOffered(t, 'U_ALICE', 'crm-demo')).toEqual(['us-central1-a', 'us-central1-b', 'europe-west1-b']);
    await t.slack.submit({ user: 'U_ALICE', viewId: topView(t, 'U_ALICE').id, values: { 'demos.zone': 'europe-west1-b' } });
    const demo = await demoInState(t, 'U_ALICE', 'running', 'ready');
    expect(demo.zone).toBe('europe-west1-b');
    const body = insertOf(t, demo.id);
    expect(body.networkInterfaces).toEqual([
      {
        network: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/default`,
        subnetwork: EU_SUBNET,
        accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT', networkTier: 'PREMIUM' }],
      },
    ]);
    const vm = t.sim.instance('europe-west1-b', demo.instance_name)!;
    expect(vm.status).toBe('RUNNING');
    expect(vm.networkInterfaces[0]!.subnetwork).toBe(`https://www.googleapis.com/compute/v1/${EU_SUBNET}`);
    expect(vm.networkInterfaces[0]!.accessConfigs[0]!.natIP).toBeTruthy();
  });

  test("the insert merges OS Login into the image's metadata and our tags into its tags, with the service account and GCE's run limit", async () => {
    await launchFromCatalog(t, 'U_BOB', 'crm-demo');
    const demo = await demoInState(t, 'U_BOB', 'running', 'ready');
    const body = insertOf(t, demo.id);
    expect(body.metadata).toEqual({
      items: [
        { key: 'startup-script', value: '#! /bin/bash\nsystemctl start crm' },
        { key: 'enable-oslogin', value: 'TRUE' },
      ],
    });
    expect(body.tags).toEqual({ items: ['demo-vm-app', 'demo-vm', 'allow-iap'] });
    expect(body.serviceAccounts).toEqual([SA]);
    expect(body.scheduling).toEqual({
      automaticRestart: true,
      onHostMaintenance: 'MIGRATE',
      preemptible: false,
      provisioningModel: 'STANDARD',
      maxRunDuration: { seconds: RUN_LIMIT },
      instanceTerminationAction: 'STOP',
    });
    // What the VM ended up with: the image's startup script survived, as did its firewall tag.
    const vm = t.sim.instance(demo.zone, demo.instance_name)!;
    expect(vm.metadata.items.map((i) => i.key)).toEqual(['startup-script', 'enable-oslogin']);
    expect(vm.tags.items).toEqual(['demo-vm-app', 'demo-vm', 'allow-iap']);
    expect(vm.serviceAccounts).toEqual([SA]);
    expect(vm.scheduling).toMatchObject({ maxRunDuration: { seconds: RUN_LIMIT }, instanceTerminationAction: 'STOP' });
  });

  test('Start re-checks the run limit while the VM is stopped: setScheduling before start', async () => {
    await launchFromCatalog(t, 'U_CAROL', 'crm-demo');
    let demo = await demoInState(t, 'U_CAROL', 'running', 'ready');
    await eventually(
      () => blockText(statusDm(t, demo).blocks ?? []),
      (b) => b.includes('demos.stop'),
    );
    await clickOnStatusDm(t, 'U_CAROL', demo, 'demos.stop');
    demo = await demoInState(t, 'U_CAROL', 'stopped', 'idle');
    // A VM made when DEMO_MAX_TTL_HOURS was 8.
    t.sim.instance(demo.zone, demo.instance_name)!.scheduling.maxRunDuration = { seconds: String(9 * 3600) };
    t.sim.clearRequests();
    await eventually(
      () => blockText(statusDm(t, demo).blocks ?? []),
      (b) => b.includes('demos.start'),
    );
    await clickOnStatusDm(t, 'U_CAROL', demo, 'demos.start');
    await demoInState(t, 'U_CAROL', 'running', 'ready');
    const mutations = t.sim.requests.filter((r) => r.httpMethod === 'POST' && !r.method.includes('Operations')).map((r) => r.method);
    expect(mutations).toEqual(['instances.setScheduling', 'instances.start']);
    expect(t.sim.instance(demo.zone, demo.instance_name)!.scheduling.maxRunDuration).toEqual({ seconds: RUN_LIMIT });
  });
});

describe('without a subnet for europe-west1, without a service account, without external IPs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { GCE_EXTERNAL_IP: 'none', READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('europe-west1-b is not offered for a us-central1 image, and a forged submission for it is refused', async () => {
    expect(await zonesOffered(t, 'U_DAVE', 'crm-demo')).toEqual(['us-central1-a', 'us-central1-b']);
    // Forge the form: a zone the modal never offered.
    const form = topView(t, 'U_DAVE');
    const zone = form.blocks.find((b: any) => b.block_id === 'demos.zone_block') as any;
    zone.element.options.push({ text: { type: 'plain_text', text: 'europe-west1-b' }, value: 'europe-west1-b' });
    await t.slack.submit({ user: 'U_DAVE', viewId: form.id, values: { 'demos.zone': 'europe-west1-b' } });
    const shown = await eventually(
      () => blockText(t.fake.views('U_DAVE').at(-1)?.blocks ?? []),
      (b) => b.includes(':warning:'),
    );
    expect(shown).toContain('This image lives in us-central1, and there is no subnet configured for europe-west1');
    expect(shown).toContain('Pick one of us-central1-a, us-central1-b.');
    expect(await t.db.selectFrom('demos').select('id').where('owner_id', '=', 'U_DAVE').execute()).toHaveLength(0);
    expect(t.sim.requestsFor('instances.insert').filter((r) => r.path.includes('europe-west1'))).toHaveLength(0);
  });

  test('with no external IP the DM gives the IAP SSH and tunnel commands, and says the app was checked at the internal IP', async () => {
    await launchFromCatalog(t, 'U_FRANK', 'crm-demo');
    const demo = await demoInState(t, 'U_FRANK', 'running', 'ready');
    expect(demo.external_ip).toBeNull();
    expect(demo.internal_ip).toMatch(/^127\.0\.2\./);
    const body = await eventually(
      () => blockText(statusDm(t, demo).blocks ?? []),
      // The simulator serves each VM's page to the worker as a VPC would; the verdict says where it was checked.
      (b) => b.includes('the app answered its readiness check (from inside the VPC)'),
      15_000,
    );
    const where = `--zone ${demo.zone} --project ${PROJECT}`;
    expect(body).toContain(`gcloud compute ssh ${demo.instance_name} ${where} --tunnel-through-iap`);
    expect(body).toContain(`gcloud compute start-iap-tunnel ${demo.instance_name} 8080 --local-host-port=localhost:8080 ${where}`);
    expect(body).toContain('# then open http://localhost:8080/crm/login');
    expect(body).toContain('roles/iap.tunnelResourceAccessor');
    // GCE would be asked at the internal IP; the simulator maps each VM's app port to one of its own on 127.0.0.1.
    expect(body).toMatch(/App: http:\/\/127\.0\.0\.1:\d+\/crm\/login — :white_check_mark:/);
    expect(body).toContain('SSH in browser (IAP)');
    expect(body).not.toContain('Open the app');
  });

  test('a VM whose image runs as a service account ends up with none: stopped, its account removed, started again', async () => {
    // Protobuf JSON drops an empty serviceAccounts list, so the insert cannot say "none".
    t.sim.addMachineImage({
      name: 'golden-with-sa',
      description: 'Golden with SA\nRuns as the Compute default service account.',
      labels: { 'demo-vm-catalog': 'true' },
      sourceInstance: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/us-central1-a/instances/golden`,
      serviceAccount: { email: '123456789012-compute@developer.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    });
    await syncCatalog(t.app.worker!);
    await launchFromCatalog(t, 'U_ERIN', 'golden-with-sa');
    const demo = await demoInState(t, 'U_ERIN', 'running', 'ready');
    const body = insertOf(t, demo.id);
    expect(body).not.toHaveProperty('serviceAccounts');
    expect(body.networkInterfaces[0]).not.toHaveProperty('accessConfigs');
    const onVm = t.sim.requests.filter((r) => r.path.includes(`/instances/${demo.instance_name}/`) && r.httpMethod === 'POST').map((r) => [r.method, r.body]);
    expect(onVm).toEqual([
      ['instances.stop', undefined],
      ['instances.setServiceAccount', undefined], // {} on the wire: no email, no scopes
      ['instances.start', undefined],
    ]);
    const vm = t.sim.instance(demo.zone, demo.instance_name)!;
    expect(vm.serviceAccounts).toEqual([]);
    expect(vm.status).toBe('RUNNING');
    expect(vm.networkInterfaces[0]!.accessConfigs).toEqual([]);
    await eventually(
      () => blockText(statusDm(t, demo).blocks ?? []),
      (b) => b.includes('Ready'),
    );
  });
});
