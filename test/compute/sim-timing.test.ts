import { InstancesClient } from '@google-cloud/compute';
import { afterEach, describe, expect, test } from 'vitest';
import { clientOptions } from '../../src/platform/compute/gce-endpoint.ts';
import { toRef } from '../../src/platform/compute/gce-shapes.ts';
import { SimTime } from '../../sim/gce/index.ts';
import { labelsFor, PROJECT, rid, startRig, ZONE, type Rig } from './setup.ts';

/**
 * The simulator's realistic profile on a driven clock (SimTime: its timers fire only as the test moves
 * time on), with random = 0.5, i.e. no jitter: every step takes exactly the modelled figure.
 */
const GIB = 1024 ** 3;
const APP_PORT = 8080;

describe('the GCE simulator’s timing model', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  async function realistic(random = () => 0.5) {
    const time = new SimTime('2026-03-02T09:00:00Z');
    rig = await startRig({ profile: 'realistic', random, now: time.now, scheduler: time, maxWaitMs: 0 });
    return { rig, time };
  }

  /** A VM from a 10 GiB machine image whose app takes `appStart` s after the OS. */
  async function insertDemo(r: Rig, name: string, image = { gb: 10, appStart: '45' }) {
    if (!r.sim.machineImage('golden')) {
      r.sim.addMachineImage({
        name: 'golden',
        machineType: 'e2-medium', // 4 GB of RAM
        totalStorageBytes: image.gb * GIB,
        labels: { 'app-port': String(APP_PORT), 'app-path': '-', 'app-start-seconds': image.appStart },
      });
    }
    return r.compute.insertInstance({
      name,
      zone: ZONE,
      sourceMachineImage: `projects/${PROJECT}/global/machineImages/golden`,
      labels: labelsFor(name),
      requestId: rid(),
    });
  }

  const status = (r: Rig, name: string) => r.sim.instance(ZONE, name)?.status;

  /** Whether the VM's app page answers 200 now. */
  async function appAnswers(r: Rig, name: string): Promise<boolean> {
    const at = r.sim.appReach.endpoint({ zone: ZONE, instanceName: name, externalIp: '127.0.0.1' }, APP_PORT);
    if (!at) return false;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`http://${at.host}:${at.port}/`).catch(() => undefined);
      if (res) return res.status === 200;
      await new Promise((resolve) => setTimeout(resolve, 10)); // still binding its port
    }
    return false;
  }

  /** POST an instance method as the compute client does; the JSON answer. */
  interface Answer {
    name?: string;
    zone?: string;
    error?: { errors: Array<{ reason: string }> };
    [field: string]: unknown;
  }
  async function call(r: Rig, name: string, method: string): Promise<{ status: number; body: Answer }> {
    const res = await fetch(`${r.sim.url}/compute/v1/projects/${PROJECT}/zones/${ZONE}/instances/${name}/${method}?requestId=${rid()}`, { method: 'POST' });
    return { status: res.status, body: (await res.json()) as Answer };
  }

  const opStatus = (r: Rig, body: Answer) => r.sim.operation(String(body.name))?.status;

  test('an insert from a machine image runs after 15 s + 1.5 s per GB, and its app answers after the OS (17 s) and its app start', async () => {
    const { rig: r, time } = await realistic();
    await insertDemo(r, 'demo-a'); // 15 + 1.5 × 10 = 30 s
    expect(status(r, 'demo-a')).toBe('PROVISIONING');
    await time.advance(15_000);
    expect(status(r, 'demo-a')).toBe('STAGING');
    await time.advance(14_999);
    expect(status(r, 'demo-a')).toBe('STAGING');
    await time.advance(1);
    expect(status(r, 'demo-a')).toBe('RUNNING');
    expect(r.sim.instance(ZONE, 'demo-a')!.lastStartTimestamp).toBe('2026-03-02T01:00:30.000-08:00');
    expect(r.sim.operations.find((o) => o.operationType === 'insert')?.status).toBe('DONE');

    // OS 17 s, then the app's 45 s (its image's app-start-seconds label).
    expect(await appAnswers(r, 'demo-a')).toBe(false);
    await time.advance(17_000 + 45_000 - 1);
    expect(await appAnswers(r, 'demo-a')).toBe(false);
    await time.advance(1);
    expect(await appAnswers(r, 'demo-a')).toBe(true);
  });

  test('each step gets ±20% jitter from the random source', async () => {
    const { rig: r, time } = await realistic(() => 0); // 80%: 24 s to RUNNING
    await insertDemo(r, 'demo-j');
    await time.advance(23_999);
    expect(status(r, 'demo-j')).toBe('STAGING');
    await time.advance(1);
    expect(status(r, 'demo-j')).toBe('RUNNING');
  });

  test('an app without app-start-seconds takes 60 s after the OS', async () => {
    const { rig: r, time } = await realistic();
    r.sim.addMachineImage({ name: 'plain', machineType: 'e2-medium', totalStorageBytes: 2 * GIB, labels: { 'app-port': String(APP_PORT) } });
    await r.compute.insertInstance({
      name: 'demo-p',
      zone: ZONE,
      sourceMachineImage: `projects/${PROJECT}/global/machineImages/plain`,
      labels: {},
      requestId: rid(),
    });
    await time.advance(18_000); // 15 + 1.5 × 2
    expect(status(r, 'demo-p')).toBe('RUNNING');
    await time.advance(17_000 + 60_000 - 1);
    expect(await appAnswers(r, 'demo-p')).toBe(false);
    await time.advance(1);
    expect(await appAnswers(r, 'demo-p')).toBe(true);
  });

  test('suspend: SUSPENDED after 10 s + 1 s per GB of RAM, with lastSuspendedTimestamp; resume: RUNNING after 5 s + 0.5 s per GB, the app answering at once', async () => {
    const { rig: r, time } = await realistic();
    await insertDemo(r, 'demo-s');
    await time.advance(30_000 + 17_000 + 45_000);
    expect(await appAnswers(r, 'demo-s')).toBe(true);

    const suspend = await call(r, 'demo-s', 'suspend');
    expect(suspend.status).toBe(200);
    expect(suspend.body).toMatchObject({ kind: 'compute#operation', operationType: 'suspend', status: 'RUNNING' });
    expect(suspend.body.zone).toMatch(new RegExp(`/zones/${ZONE}$`));
    expect(status(r, 'demo-s')).toBe('SUSPENDING');
    expect(await appAnswers(r, 'demo-s')).toBe(false);
    await time.advance(13_999); // e2-medium: 4 GB → 10 + 4 = 14 s
    expect(status(r, 'demo-s')).toBe('SUSPENDING');
    await time.advance(1);
    expect(status(r, 'demo-s')).toBe('SUSPENDED');
    expect(opStatus(r, suspend.body)).toBe('DONE');
    expect(r.sim.instance(ZONE, 'demo-s')!.lastSuspendedTimestamp).toBe('2026-03-02T01:01:46.000-08:00'); // 92 s + 14 s after 09:00Z
    const { lastSuspendedAt, status: seen } = (await r.compute.getInstance(ZONE, 'demo-s'))!;
    expect({ seen, lastSuspendedAt }).toEqual({ seen: 'SUSPENDED', lastSuspendedAt: new Date('2026-03-02T09:01:46Z') });

    const resume = await call(r, 'demo-s', 'resume');
    expect(resume.body).toMatchObject({ kind: 'compute#operation', operationType: 'resume' });
    await time.advance(6_999); // 5 + 0.5 × 4 = 7 s
    expect(status(r, 'demo-s')).not.toBe('RUNNING');
    await time.advance(1);
    expect(status(r, 'demo-s')).toBe('RUNNING');
    expect(opStatus(r, resume.body)).toBe('DONE');
    expect(await appAnswers(r, 'demo-s')).toBe(true); // kept in memory: no OS boot, no app start
  });

  test('suspend only from RUNNING, resume only from SUSPENDED: refused as GCE refuses a call the status does not allow', async () => {
    const { rig: r, time } = await realistic();
    await insertDemo(r, 'demo-w');
    const early = await call(r, 'demo-w', 'suspend'); // still PROVISIONING
    expect(early.status).toBe(400);
    expect(early.body).toEqual({
      error: {
        code: 400,
        message: `The resource 'projects/${PROJECT}/zones/${ZONE}/instances/demo-w' is not ready`,
        errors: [{ message: `The resource 'projects/${PROJECT}/zones/${ZONE}/instances/demo-w' is not ready`, domain: 'global', reason: 'resourceNotReady' }],
      },
    });
    await time.advance(30_000);
    const resume = await call(r, 'demo-w', 'resume'); // RUNNING, not suspended
    expect(resume.status).toBe(400);
    expect(resume.body.error?.errors[0]?.reason).toBe('resourceNotReady');
    expect((await call(r, 'nope', 'suspend')).status).toBe(404);
    expect(status(r, 'demo-w')).toBe('RUNNING');
  });

  test('GCE stops a VM suspended for 60 days', async () => {
    const { rig: r, time } = await realistic();
    await insertDemo(r, 'demo-l');
    await time.advance(30_000);
    await call(r, 'demo-l', 'suspend');
    await time.advance(14_000);
    const suspendedAt = Date.parse(r.sim.instance(ZONE, 'demo-l')!.lastSuspendedTimestamp!);
    await time.advance(60 * 86_400_000 - 1);
    expect(status(r, 'demo-l')).toBe('SUSPENDED');
    await time.advance(1);
    expect(status(r, 'demo-l')).toBe('TERMINATED');
    expect(Date.parse(r.sim.instance(ZONE, 'demo-l')!.lastStopTimestamp!)).toBe(suspendedAt + 60 * 86_400_000);
    expect((await call(r, 'demo-l', 'resume')).status).toBe(400);
  });

  test('enforceSuspendLimits stops VMs suspended past the limit by the clock, as enforceRunLimits does for run limits', async () => {
    const time = new SimTime('2026-03-02T09:00:00Z');
    let now = time.now();
    rig = await startRig({ now: () => now });
    rig.sim.addInstance({ zone: ZONE, name: 'demo-old', status: 'SUSPENDED' });
    rig.sim.enforceSuspendLimits();
    expect(status(rig, 'demo-old')).toBe('SUSPENDED');
    now = new Date(now.getTime() + 61 * 86_400_000);
    rig.sim.enforceSuspendLimits();
    expect(status(rig, 'demo-old')).toBe('TERMINATED');
  });

  test('stop takes 20 s, start from TERMINATED 10 s, then the OS and the app again', async () => {
    const { rig: r, time } = await realistic();
    await insertDemo(r, 'demo-t');
    await time.advance(30_000 + 17_000 + 45_000);
    const stop = await call(r, 'demo-t', 'stop');
    await time.advance(19_999);
    expect(status(r, 'demo-t')).toBe('STOPPING');
    await time.advance(1);
    expect(status(r, 'demo-t')).toBe('TERMINATED');
    expect(opStatus(r, stop.body)).toBe('DONE');
    await call(r, 'demo-t', 'start');
    await time.advance(10_000);
    expect(status(r, 'demo-t')).toBe('RUNNING');
    await time.advance(17_000 + 45_000 - 1);
    expect(await appAnswers(r, 'demo-t')).toBe(false);
    await time.advance(1);
    expect(await appAnswers(r, 'demo-t')).toBe(true);
  });

  test('a machine image from an instance is READY after 60 s + 2 s per GB of its disks', async () => {
    const { rig: r, time } = await realistic();
    await insertDemo(r, 'demo-m');
    await time.advance(30_000);
    await r.compute.insertMachineImage({ name: 'snap', sourceInstance: { zone: ZONE, name: 'demo-m' }, requestId: rid() });
    await time.advance(99_999); // the boot disk is 20 GB: 60 + 40 s
    expect(r.sim.machineImage('snap')!.status).toBe('CREATING');
    await time.advance(1);
    expect(r.sim.machineImage('snap')!.status).toBe('READY');
  });

  test('the real compute client suspends and resumes through the simulator (instant profile, real timers)', async () => {
    rig = await startRig();
    await rig.compute.waitOperation(await insertDemo(rig, 'demo-c'));
    const client = new InstancesClient(clientOptions(rig.sim.url));
    try {
      const [suspending] = await client.suspend({ project: PROJECT, zone: ZONE, instance: 'demo-c', requestId: rid() });
      expect(await rig.compute.waitOperation(toRef(suspending, ZONE))).toMatchObject({ status: 'DONE' });
      expect(status(rig, 'demo-c')).toBe('SUSPENDED');
      const [resuming] = await client.resume({ project: PROJECT, zone: ZONE, instance: 'demo-c', requestId: rid() });
      expect(await rig.compute.waitOperation(toRef(resuming, ZONE))).toMatchObject({ status: 'DONE' });
      expect(status(rig, 'demo-c')).toBe('RUNNING');
      await expect(client.resume({ project: PROJECT, zone: ZONE, instance: 'demo-c', requestId: rid() })).rejects.toThrow(/is not ready/);
    } finally {
      await client.close();
    }
  });

  test('the instant profile (the default) keeps operationMs then bootMs and opens the app on RUNNING', async () => {
    const time = new SimTime('2026-03-02T09:00:00Z');
    rig = await startRig({ now: time.now, scheduler: time, operationMs: 1500, bootMs: 4000, maxWaitMs: 0, random: () => 0 });
    await insertDemo(rig, 'demo-i', { gb: 100, appStart: '600' });
    await time.advance(1500);
    expect(status(rig, 'demo-i')).toBe('STAGING');
    await time.advance(4000);
    expect(status(rig, 'demo-i')).toBe('RUNNING');
    expect(await appAnswers(rig, 'demo-i')).toBe(true);
    await call(rig, 'demo-i', 'suspend');
    await time.advance(1500);
    expect(status(rig, 'demo-i')).toBe('SUSPENDED');
    await call(rig, 'demo-i', 'resume');
    await time.advance(5500);
    expect(status(rig, 'demo-i')).toBe('RUNNING');
    expect(await appAnswers(rig, 'demo-i')).toBe(true);
  });
});
