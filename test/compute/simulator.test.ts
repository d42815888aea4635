// The simulator's wire behaviour, seen with plain fetch (no client library in between).
import { randomUUID } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { GceSimulator, type GceSimulatorOptions } from '../../sim/gce/index.ts';
import { compileFilter } from '../../sim/gce/filter.ts';
import { eventually } from '../harness/eventually.ts';

const P = 'sim-project';
const Z = 'us-central1-a';
const open: GceSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(opts: GceSimulatorOptions = {}) {
  const sim = new GceSimulator({ project: P, ...opts });
  open.push(sim);
  const { url } = await sim.listen(0, '127.0.0.1');
  sim.addMachineImage({ name: 'golden' });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/compute/v1/projects/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const insert = (name: string, requestId = randomUUID(), extra: Record<string, unknown> = {}) =>
    api('POST', `${P}/zones/${Z}/instances?requestId=${requestId}`, { name, sourceMachineImage: `global/machineImages/golden`, ...extra });
  return { sim, url, api, insert };
}

test('an operation has GCE’s fields and wait returns it DONE', async () => {
  const { api, insert } = await start({ operationMs: 20 });
  const { status, json: op } = await insert('vm-1');
  expect(status).toBe(200);
  expect(op).toMatchObject({
    kind: 'compute#operation',
    operationType: 'insert',
    status: 'RUNNING',
    progress: 0,
    zone: `https://www.googleapis.com/compute/v1/projects/${P}/zones/${Z}`,
    targetLink: `https://www.googleapis.com/compute/v1/projects/${P}/zones/${Z}/instances/vm-1`,
    selfLink: `https://www.googleapis.com/compute/v1/projects/${P}/zones/${Z}/operations/${op.name}`,
  });
  expect(op.id).toMatch(/^[1-9]\d{18}$/);
  expect(op.targetId).toMatch(/^\d+$/);
  expect(op.name).toMatch(/^operation-\d{13}-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  expect(Number.isNaN(Date.parse(op.insertTime))).toBe(false);

  const waited = await api('POST', `${P}/zones/${Z}/operations/${op.name}/wait`);
  expect(waited.json).toMatchObject({ name: op.name, status: 'DONE', progress: 100 });
  expect(waited.json.error).toBeUndefined();
  expect((await api('GET', `${P}/zones/${Z}/operations/${op.name}`)).json.status).toBe('DONE');
  // A zonal operation is not found under another zone or globally.
  expect((await api('GET', `${P}/zones/us-central1-b/operations/${op.name}`)).status).toBe(404);
  expect((await api('GET', `${P}/global/operations/${op.name}`)).status).toBe(404);
});

test('errors have GCE’s body', async () => {
  const { api } = await start();
  const missing = await api('GET', `${P}/zones/${Z}/instances/nope`);
  expect(missing).toEqual({
    status: 404,
    json: {
      error: {
        code: 404,
        message: `The resource 'projects/${P}/zones/${Z}/instances/nope' was not found`,
        errors: [{ message: `The resource 'projects/${P}/zones/${Z}/instances/nope' was not found`, domain: 'global', reason: 'notFound' }],
      },
    },
  });
  expect((await api('GET', `other-project/zones/${Z}/instances/nope`)).json.error.message).toBe("The resource 'projects/other-project' was not found");
  const badZone = await api('GET', `${P}/zones/us-central1-z/instances`);
  expect(badZone.status).toBe(400);
  expect(badZone.json.error.errors[0]).toMatchObject({ reason: 'invalid', domain: 'global' });
});

test('label keys, label count and names are validated as GCE does', async () => {
  const { insert } = await start();
  const badKey = await insert('vm-k', randomUUID(), { labels: { '1abc': 'x' } });
  expect(badKey.status).toBe(400);
  expect(badKey.json.error.message).toContain("Label key '1abc' violates format constraints");
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
  expect((await insert('vm-many', randomUUID(), { labels: many })).status).toBe(400);
  const ok64 = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
  expect((await insert('vm-64', randomUUID(), { labels: { ...ok64 } })).status).toBe(200);
  expect((await insert('vm-intl', randomUUID(), { labels: { ключ: 'значение', empty: '' } })).status).toBe(200);
  expect((await insert('a'.repeat(64))).status).toBe(400);
  expect((await insert('vm-')).status).toBe(400);
  expect((await insert('a'.repeat(63))).status).toBe(200);
});

test('aggregatedList keys items by zone with a warning for empty scopes', async () => {
  const { sim, api } = await start();
  sim.addInstance({ zone: 'us-central1-b', name: 'vm-b' });
  const { json } = await api('GET', `${P}/aggregated/instances`);
  expect(json.kind).toBe('compute#instanceAggregatedList');
  expect(Object.keys(json.items)).toEqual(['zones/us-central1-a', 'zones/us-central1-b', 'zones/us-central1-c', 'zones/europe-west1-b']);
  expect(json.items['zones/us-central1-b'].instances.map((i: { name: string }) => i.name)).toEqual(['vm-b']);
  expect(json.items['zones/us-central1-a']).toEqual({
    warning: {
      code: 'NO_RESULTS_ON_PAGE',
      message: "There are no results for scope 'zones/us-central1-a' on this page.",
      data: [{ key: 'scope', value: 'zones/us-central1-a' }],
    },
  });
});

test('a requestId is remembered for an hour, then forgotten', async () => {
  let now = Date.parse('2026-03-02T09:00:00Z');
  const { sim, insert } = await start({ now: () => new Date(now) });
  const id = randomUUID();
  const first = await insert('vm-r', id);
  now += 59 * 60_000;
  expect((await insert('vm-r', id)).json.name).toBe(first.json.name);
  now += 2 * 60_000;
  const late = await insert('vm-r', id);
  expect(late.status).toBe(409);
  expect(late.json.error.errors[0].reason).toBe('alreadyExists');
  expect(sim.instances).toHaveLength(1);
});

test('faults: per zone, a number of times, and a dropped connection', async () => {
  const { sim, url, insert } = await start();
  sim.injectFault({ method: 'instances.insert', kind: 'backend', zone: 'us-central1-b', times: Infinity });
  expect((await insert('vm-a')).status).toBe(200); // other zone: untouched
  sim.injectFault({ method: '*', kind: 'rate_limited', times: 2 });
  expect((await insert('vm-b')).status).toBe(429);
  expect((await insert('vm-b')).status).toBe(429);
  expect((await insert('vm-b')).status).toBe(200);
  sim.injectFault({ method: 'instances.get', kind: 'reset' });
  await expect(fetch(`${url}/compute/v1/projects/${P}/zones/${Z}/instances/vm-a`)).rejects.toThrow();
  expect(sim.requestsFor('instances.get').at(-1)?.status).toBe(0);
  sim.clearFaults();
});

test('a direct status change wins over a transition in flight', async () => {
  const { sim, api, insert } = await start({ operationMs: 30, bootMs: 30 });
  const { json: op } = await insert('vm-x');
  sim.stopInstanceNow(Z, 'vm-x');
  const done = await api('POST', `${P}/zones/${Z}/operations/${op.name}/wait`);
  expect(done.json.status).toBe('DONE');
  expect(sim.instance(Z, 'vm-x')).toMatchObject({ status: 'TERMINATED' });
  expect(sim.instance(Z, 'vm-x')?.lastStopTimestamp).toBeTruthy();
});

test('start, stop and suspend times come from its clock, in RFC3339 with the Pacific offset GCE writes', async () => {
  let now = new Date('2026-12-02T09:02:03.456Z');
  const { sim, api, insert } = await start({ now: () => now });
  const { json: op } = await insert('vm-t');
  await api('POST', `${P}/zones/${Z}/operations/${op.name}/wait`);
  const got = (await api('GET', `${P}/zones/${Z}/instances/vm-t`)).json;
  expect(got).toMatchObject({ status: 'RUNNING', creationTimestamp: '2026-12-02T01:02:03.456-08:00', lastStartTimestamp: '2026-12-02T01:02:03.456-08:00' });
  now = new Date('2026-07-01T12:00:00.000Z'); // summer time: -07:00
  sim.stopInstanceNow(Z, 'vm-t');
  expect(sim.instance(Z, 'vm-t')?.lastStopTimestamp).toBe('2026-07-01T05:00:00.000-07:00');
  sim.setInstanceStatus(Z, 'vm-t', 'SUSPENDED');
  expect(sim.instance(Z, 'vm-t')?.lastSuspendedTimestamp).toBe('2026-07-01T05:00:00.000-07:00');
  expect(new Date(sim.instance(Z, 'vm-t')!.lastStopTimestamp!)).toEqual(now);
});

test('close() answers pending waits and leaves no timers', async () => {
  const sim = new GceSimulator({ project: P, operationMs: 60_000, maxWaitMs: 120_000 });
  const { url } = await sim.listen();
  sim.addMachineImage({ name: 'golden' });
  const op = (await (
    await fetch(`${url}/compute/v1/projects/${P}/zones/${Z}/instances`, {
      method: 'POST',
      body: JSON.stringify({ name: 'vm-slow', sourceMachineImage: 'global/machineImages/golden' }),
    })
  ).json()) as { name: string };
  const pending = fetch(`${url}/compute/v1/projects/${P}/zones/${Z}/operations/${op.name}/wait`, { method: 'POST' }).then((r) => r.json());
  // The operation's progress and, once the wait has arrived, its 2-minute cap.
  await eventually(
    () => sim.pendingTimers,
    (n) => n === 2,
  );
  // close() does not wait for the 60 s operation (the test's timeout would): it answers the wait now.
  await sim.close();
  expect(sim.pendingTimers).toBe(0);
  expect(await pending).toMatchObject({ name: op.name, status: 'RUNNING' });
});

test('the filter language', () => {
  const vm = { name: 'demo-42', status: 'RUNNING', labels: { 'managed-by': 'demo-vm', owner: 'u1' }, scheduling: { automaticRestart: true } };
  const yes = (f: string) => expect(compileFilter(f)(vm), f).toBe(true);
  const no = (f: string) => expect(compileFilter(f)(vm), f).toBe(false);
  yes('labels.managed-by=demo-vm');
  yes('labels.managed-by = "demo-vm"');
  yes("name = 'demo-*'");
  yes('labels.owner:*');
  no('labels.team:*');
  yes('name != other');
  yes('(status = RUNNING) (labels.owner = u1)');
  no('(status = RUNNING) AND (labels.owner = u2)');
  yes('(status = TERMINATED) OR (labels.owner = u1)');
  yes('NOT status = TERMINATED');
  yes('scheduling.automaticRestart = true');
  yes("name eq 'demo-[0-9]+'");
  no("name eq 'demo'"); // a regex must match the whole field
  yes('name ne other-.*');
  expect(() => compileFilter('name =')).toThrow(/Invalid list filter expression/);
  expect(() => compileFilter('(status = RUNNING')).toThrow(/Invalid list filter expression/);
});
