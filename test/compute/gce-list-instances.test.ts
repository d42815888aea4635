import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Instance } from '../../src/platform/compute/port.ts';
import { labelsFor, type Rig, startRig } from './setup.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  const zones = ['us-central1-a', 'us-central1-b', 'europe-west1-b'];
  for (let i = 0; i < 7; i++) {
    rig.sim.addInstance({ zone: zones[i % 3]!, name: `demo-${i}`, labels: labelsFor(String(i)), status: i === 3 ? 'TERMINATED' : 'RUNNING' });
  }
  rig.sim.addInstance({ zone: 'us-central1-a', name: 'not-ours', labels: { team: 'web' } });
});
afterAll(() => rig.close());

async function all(filter: string, maxResults: number): Promise<{ pages: Instance[][]; tokens: number }> {
  const pages: Instance[][] = [];
  let pageToken: string | undefined;
  let tokens = 0;
  do {
    const page = await rig.compute.listInstances({ filter, maxResults, pageToken });
    pages.push(page.items);
    pageToken = page.nextPageToken;
    if (pageToken) tokens++;
  } while (pageToken);
  return { pages, tokens };
}

test('listInstances walks the aggregated list page by page, across zones', async () => {
  const { pages, tokens } = await all('labels.managed-by=demo-vm', 3);
  expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
  expect(tokens).toBe(2);
  const seen = pages.flat();
  expect(seen.map((i) => i.name).sort()).toEqual(['demo-0', 'demo-1', 'demo-2', 'demo-3', 'demo-4', 'demo-5', 'demo-6']);
  expect(seen.find((i) => i.name === 'demo-2')).toMatchObject({ zone: 'europe-west1-b', status: 'RUNNING', machineType: 'e2-medium' });
  expect(seen.find((i) => i.name === 'demo-3')).toMatchObject({ zone: 'us-central1-a', status: 'TERMINATED', externalIp: undefined });
  const calls = rig.sim.requestsFor('instances.aggregatedList').slice(-3);
  expect(calls.map((c) => c.path)).toEqual(Array(3).fill('/compute/v1/projects/test-project/aggregated/instances'));
  expect(calls[0]?.query.pageToken).toBeUndefined();
  expect(calls[1]?.query.pageToken).toBeTruthy();
});

test('listInstances filters by status and label presence', async () => {
  const stopped = await rig.compute.listInstances({ filter: '(labels.managed-by = demo-vm) (status = TERMINATED)' });
  expect(stopped.items.map((i) => i.name)).toEqual(['demo-3']);
  expect(stopped.nextPageToken).toBeUndefined();
  const labelled = await rig.compute.listInstances({ filter: 'labels.team:*' });
  expect(labelled.items.map((i) => i.name)).toEqual(['not-ours']);
  const everything = await rig.compute.listInstances();
  expect(everything.items).toHaveLength(8);
});
