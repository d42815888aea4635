/**
 * The schema contract check itself (test/harness/contract.ts): it passes what the adapter really hands
 * to the compute client and what the simulator answers, and fails a misspelt field, a made-up enum
 * value and a wrong type. The whole suite's captures are checked by the global teardown.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkMessage, requestScope, responseScope } from '../harness/contract.ts';
import { GceCompute } from '../../src/platform/compute/gce.ts';
import { labelsFor, PROJECT, rid, type Rig, startRig } from './setup.ts';

let rig: Rig;
const seen: Array<{ service: string; method: string; request: object }> = [];
beforeAll(async () => {
  rig = await startRig();
  rig.sim.addMachineImage({
    name: 'golden',
    sourceInstance: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/us-central1-a/instances/g`,
    tags: ['web'],
  });
});
afterAll(async () => rig?.close());

const check = (service: string, method: string, request: object) => checkMessage(requestScope(service, method), request, 'request', false);

test('the insert the adapter builds, and every other call of a launch, match Google’s request messages', async () => {
  const compute = new GceCompute({
    project: PROJECT,
    apiEndpoint: rig.sim.url,
    minWaitIntervalMs: 0,
    onRequest: (service, method, request) => seen.push({ service, method, request: structuredClone(request) }),
  });
  try {
    const placement = {
      subnetwork: `projects/${PROJECT}/regions/us-central1/subnetworks/demo`,
      externalIp: false,
      tags: ['demo'],
      metadata: { 'enable-oslogin': 'TRUE' },
      serviceAccount: { email: `sa@${PROJECT}.iam.gserviceaccount.com`, scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
      maxRunSeconds: 3600,
    };
    const op = await compute.insertInstance({
      name: 'contract',
      zone: 'us-central1-a',
      sourceMachineImage: 'golden',
      labels: labelsFor('contract'),
      placement,
      requestId: rid(),
    });
    await compute.waitOperation(op);
    await compute.waitOperation(await compute.stopInstance('us-central1-a', 'contract', rid()));
    await compute.waitOperation(await compute.setMaxRunDuration({ zone: 'us-central1-a', name: 'contract', seconds: 7200, requestId: rid() }));
    await compute.waitOperation(await compute.setServiceAccount({ zone: 'us-central1-a', name: 'contract', account: null, requestId: rid() }));
  } finally {
    await compute.close();
  }
  expect(seen.map((s) => s.method)).toEqual(expect.arrayContaining(['get', 'insert', 'wait', 'stop', 'setScheduling', 'setServiceAccount']));
  for (const s of seen) expect(check(s.service, s.method, s.request)).toEqual([]);
  const insert = seen.find((s) => s.method === 'insert')!.request as { instanceResource: Record<string, unknown> };
  expect(Object.keys(insert.instanceResource).sort()).toEqual([
    'labels',
    'metadata',
    'name',
    'networkInterfaces',
    'scheduling',
    'serviceAccounts',
    'sourceMachineImage',
    'tags',
  ]);
});

test('a misspelt field, a made-up enum value and a wrong type each fail, with where', () => {
  const insert = {
    project: PROJECT,
    zone: 'us-central1-a',
    instanceResource: {
      name: 'x',
      scheduling: { maxRunDuration: { seconds: '3600' }, instanceTerminationAction: 'STOP' },
      networkInterfaces: [{ accessConfigs: [{ type: 'ONE_TO_ONE_NAT' }] }],
    },
  };
  expect(check('google.cloud.compute.v1.Instances', 'insert', insert)).toEqual([]);
  const misspelt = structuredClone(insert) as any;
  misspelt.instanceResource.sheduling = misspelt.instanceResource.scheduling;
  delete misspelt.instanceResource.scheduling;
  expect(check('google.cloud.compute.v1.Instances', 'insert', misspelt)).toEqual([
    'request.instanceResource.sheduling: google.cloud.compute.v1.Instance has no field sheduling',
  ]);
  const madeUp = structuredClone(insert) as any;
  madeUp.instanceResource.scheduling.instanceTerminationAction = 'HIBERNATE';
  madeUp.instanceResource.networkInterfaces[0].accessConfigs[0].type = 'EPHEMERAL';
  expect(check('google.cloud.compute.v1.Instances', 'insert', madeUp)).toEqual([
    'request.instanceResource.scheduling.instanceTerminationAction: "HIBERNATE" is not a value of enum google.cloud.compute.v1.Scheduling.InstanceTerminationAction',
    'request.instanceResource.networkInterfaces[0].accessConfigs[0].type: "EPHEMERAL" is not a value of enum google.cloud.compute.v1.AccessConfig.Type',
  ]);
  const wrongType = structuredClone(insert) as any;
  wrongType.instanceResource.scheduling.maxRunDuration.seconds = '1h';
  wrongType.instanceResource.tags = ['web'];
  expect(check('google.cloud.compute.v1.Instances', 'insert', wrongType)).toEqual([
    'request.instanceResource.scheduling.maxRunDuration.seconds: expected an int64 (integer or decimal string), got "1h"',
    'request.instanceResource.tags: expected a google.cloud.compute.v1.Tags object, got ["web"]',
  ]);
  // Cloud Build's enums are real protobuf enums; its Duration is google.protobuf.Duration.
  const build = {
    projectId: PROJECT,
    build: { steps: [{ name: 'gcr.io/x', args: ['-a'] }], timeout: { seconds: 7200 }, options: { logging: 'CLOUD_LOGGING_ONLY' } },
  };
  expect(check('google.devtools.cloudbuild.v1.CloudBuild', 'createBuild', build)).toEqual([]);
  (build.build.options as any).logging = 'CARRIER_PIGEON';
  expect(check('google.devtools.cloudbuild.v1.CloudBuild', 'createBuild', build)).toEqual([
    'request.build.options.logging: "CARRIER_PIGEON" is not a value of enum google.devtools.cloudbuild.v1.BuildOptions.LoggingMode',
  ]);
});

test('the simulator answers with Google’s response messages in proto3 JSON', async () => {
  const vm = rig.sim.instance('us-central1-a', 'contract');
  expect(vm).toBeDefined();
  expect(checkMessage(responseScope('instances.get')!, JSON.parse(JSON.stringify(vm)), 'Instance', true)).toEqual([]);
  expect(checkMessage(responseScope('machineImages.get')!, JSON.parse(JSON.stringify(rig.sim.machineImage('golden'))), 'MachineImage', true)).toEqual([]);
  for (const op of rig.sim.operations)
    expect(checkMessage(responseScope('zoneOperations.get')!, JSON.parse(JSON.stringify(op)), 'Operation', true)).toEqual([]);
  // An int64 as a JSON number is not proto3 JSON.
  expect(checkMessage(responseScope('instances.get')!, { id: 12 }, 'Instance', true)).toEqual(['Instance.id: expected an int64 as a decimal string, got 12']);
});
