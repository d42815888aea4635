import { afterAll, beforeAll, expect, test } from 'vitest';
import { retryTransient } from '../../src/platform/compute/gce.ts';
import { GcpError, operationFailure } from '../../src/platform/compute/port.ts';
import { eventually } from '../harness/eventually.ts';
import { labelsFor, PROJECT, rid, type Rig, startRig, ZONE } from './setup.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  rig.sim.addMachineImage({ name: 'golden', machineType: 'e2-medium' });
});
afterAll(() => rig.close());

const insert = (name: string, requestId = rid(), zone = ZONE) =>
  rig.compute.insertInstance({ name, zone, sourceMachineImage: 'golden', labels: labelsFor(name), requestId });

async function refusal(p: Promise<unknown>): Promise<GcpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GcpError);
  return e as GcpError;
}

test.each([
  ['quota', { kind: 'quota', httpStatus: 403, reason: 'quotaExceeded' }, "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1."],
  ['rate_limited', { kind: 'rate_limited', httpStatus: 429, reason: 'rateLimitExceeded' }, 'Rate Limit Exceeded'],
  ['backend', { kind: 'unavailable', httpStatus: 503, reason: 'backendError' }, 'The service is currently unavailable.'],
  [
    'permission',
    { kind: 'permission', httpStatus: 403, reason: 'forbidden' },
    `Required 'compute.instances.create' permission for 'projects/${PROJECT}/zones/${ZONE}/instances'`,
  ],
] as const)('an injected %s fault on insert surfaces as its GcpError', async (kind, expected, message) => {
  rig.sim.injectFault({ method: 'instances.insert', kind, times: 1 });
  const name = `demo-fault-${kind.replace('_', '-')}`;
  const e = await refusal(insert(name));
  expect(e).toMatchObject({ ...expected, message });
  expect(e.retryable).toBe(kind === 'rate_limited' || kind === 'backend');
  expect(rig.sim.instance(ZONE, name)).toBeUndefined();
  // The fault was used up: the next call goes through.
  await rig.compute.waitOperation(await insert(name));
  expect(rig.sim.instance(ZONE, name)?.status).toBe('RUNNING');
});

test('a stockout is an accepted operation that ends DONE with ZONE_RESOURCE_POOL_EXHAUSTED; nothing is created', async () => {
  rig.sim.injectOperationError({ method: 'instances.insert', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', zone: ZONE, times: 1 });
  const op = await insert('demo-stockout');
  const done = await rig.compute.waitOperation(op);
  expect(done.status).toBe('DONE');
  expect(done.error).toEqual({
    code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
    kind: 'stockout',
    message: `The zone 'projects/${PROJECT}/zones/${ZONE}' does not have enough resources available to fulfill the request. Try a different zone, or try again later.`,
  });
  expect(operationFailure(done)).toMatchObject({ kind: 'stockout', reason: 'ZONE_RESOURCE_POOL_EXHAUSTED', retryable: false });
  expect(await rig.compute.getInstance(ZONE, 'demo-stockout')).toBeNull();
  // Another zone has room.
  const other = await rig.compute.waitOperation(await insert('demo-stockout', rid(), 'us-central1-b'));
  expect(other.error).toBeUndefined();
});

test('a zone-scoped stockout does not hit other zones', async () => {
  rig.sim.injectOperationError({ method: 'instances.insert', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', zone: 'us-central1-c', times: 1 });
  expect((await rig.compute.waitOperation(await insert('demo-zoned'))).error).toBeUndefined();
  expect((await rig.compute.waitOperation(await insert('demo-zoned', rid(), 'us-central1-c'))).error?.kind).toBe('stockout');
});

test('an operation that ends with QUOTA_EXCEEDED maps to quota', async () => {
  rig.sim.injectOperationError({ method: 'instances.insert', code: 'QUOTA_EXCEEDED', times: 1 });
  const done = await rig.compute.waitOperation(await insert('demo-opquota'));
  expect(done.error).toMatchObject({ code: 'QUOTA_EXCEEDED', kind: 'quota', message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." });
  expect(await rig.compute.getInstance(ZONE, 'demo-opquota')).toBeNull();
});

test('a 503 on the operation wait is retried and the wait completes', async () => {
  rig.sim.injectFault({ method: 'zoneOperations.wait', kind: 'backend', times: 2 });
  const op = await insert('demo-waitfail');
  const before = rig.sim.requestsFor('zoneOperations.wait').length;
  expect(await rig.compute.waitOperation(op, { timeoutMs: 5_000 })).toMatchObject({ status: 'DONE' });
  expect(
    rig.sim
      .requestsFor('zoneOperations.wait')
      .slice(before)
      .map((r) => r.status),
  ).toEqual([503, 503, 200]);
});

test('a permission error on the wait is not retried', async () => {
  const op = await insert('demo-waitdeny');
  rig.sim.injectFault({ method: 'zoneOperations.wait', kind: 'permission', times: 1 });
  expect(await refusal(rig.compute.waitOperation(op))).toMatchObject({ kind: 'permission', httpStatus: 403 });
  await rig.compute.waitOperation(op);
});

test('a wait that answers before DONE is looped until DONE', async () => {
  // The operation is held until the test ends it: every 20 ms wait answers RUNNING meanwhile.
  rig.sim.setTiming({ operationMs: 3_600_000, maxWaitMs: 20 });
  try {
    const op = await insert('demo-slow');
    const before = rig.sim.requestsFor('zoneOperations.wait').length;
    const waiting = rig.compute.waitOperation(op, { timeoutMs: 60_000 });
    await eventually(
      () => rig.sim.requestsFor('zoneOperations.wait').length - before,
      (n) => n >= 2,
    );
    expect(rig.sim.finishOperation(op.name)).toBe(true);
    const done = await waiting;
    expect(done.status).toBe('DONE');
    const waits = rig.sim.requestsFor('zoneOperations.wait').slice(before);
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits.every((w) => w.status === 200 && w.path.endsWith(`/zones/${ZONE}/operations/${op.name}/wait`))).toBe(true);
  } finally {
    rig.sim.setTiming({ operationMs: 0, maxWaitMs: 120_000 });
  }
});

test('waitOperation gives up at its timeout, and stops on abort', async () => {
  rig.sim.setTiming({ operationMs: 60_000, maxWaitMs: 20 });
  try {
    const op = await insert('demo-never');
    const e = await refusal(rig.compute.waitOperation(op, { timeoutMs: 100 }));
    expect(e).toMatchObject({ kind: 'unavailable', reason: 'timeout' });

    // Abort once the wait is under way (it has asked GCE at least once).
    const ac = new AbortController();
    const asked = rig.sim.requestsFor('zoneOperations.wait').length;
    const waiting = rig.compute.waitOperation(op, { signal: ac.signal });
    await eventually(
      () => rig.sim.requestsFor('zoneOperations.wait').length,
      (n) => n > asked,
    );
    ac.abort(new Error('job cancelled'));
    await expect(waiting).rejects.toThrow('job cancelled');
  } finally {
    rig.sim.setTiming({ operationMs: 0, maxWaitMs: 120_000 });
  }
});

test('retryTransient repeats a 429/503 insert with the same requestId; one instance results', async () => {
  rig.sim.injectFault({ method: 'instances.insert', kind: 'rate_limited', times: 1 });
  rig.sim.injectFault({ method: 'instances.insert', kind: 'backend', times: 1 });
  const requestId = rid();
  const retries: number[] = [];
  const op = await retryTransient(() => insert('demo-retry', requestId), { baseMs: 1, onRetry: (e) => retries.push(e.httpStatus ?? 0) });
  expect(retries).toEqual([429, 503]);
  await rig.compute.waitOperation(op);
  expect(
    rig.sim
      .requestsFor('instances.insert')
      .filter((r) => r.requestId === requestId)
      .map((r) => r.status),
  ).toEqual([429, 503, 200]);
  expect(rig.sim.instances.filter((i) => i.name === 'demo-retry')).toHaveLength(1);
});

test('an insert whose answer is lost is retried with the same requestId and GCE does it once', async () => {
  rig.sim.injectFault({ method: 'instances.insert', kind: 'drop_response', times: 1 });
  const requestId = rid();
  const kinds: string[] = [];
  const op = await retryTransient(() => insert('demo-lost', requestId), { baseMs: 1, onRetry: (e) => kinds.push(e.kind) });
  expect(kinds).toEqual(['unavailable']);
  expect((await rig.compute.waitOperation(op)).error).toBeUndefined();
  const sent = rig.sim.requestsFor('instances.insert').filter((r) => r.requestId === requestId);
  expect(sent).toHaveLength(2);
  expect(rig.sim.instances.filter((i) => i.name === 'demo-lost')).toHaveLength(1);
  expect(rig.sim.operations.filter((o) => o.clientOperationId === requestId)).toHaveLength(1);
});

test('retryTransient does not retry what cannot succeed, and stops after its attempts', async () => {
  let calls = 0;
  const invalid = new GcpError('invalid', 'bad');
  await expect(retryTransient(async () => (calls++, Promise.reject(invalid)), { baseMs: 1 })).rejects.toBe(invalid);
  expect(calls).toBe(1);

  calls = 0;
  const busy = new GcpError('unavailable', 'busy', { httpStatus: 503 });
  await expect(retryTransient(async () => (calls++, Promise.reject(busy)), { attempts: 3, baseMs: 1 })).rejects.toBe(busy);
  expect(calls).toBe(3);
});

test('a 503 on a read is retried by the client library itself (gax retries idempotent calls)', async () => {
  await rig.compute.waitOperation(await insert('demo-read'));
  rig.sim.injectFault({ method: 'instances.get', kind: 'backend', times: 1 });
  expect((await rig.compute.getInstance(ZONE, 'demo-read'))?.status).toBe('RUNNING');
  expect(
    rig.sim
      .requestsFor('instances.get')
      .slice(-2)
      .map((r) => r.status),
  ).toEqual([503, 200]);
});
