/** A simulator on a free port and the real adapter (real @google-cloud/compute clients) pointed at it. */
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.ts';
import { randomUUID } from 'node:crypto';
import { GceCompute, type GceComputeOptions } from '../../src/platform/compute/gce.ts';
import type { OperationRef } from '../../src/platform/compute/port.ts';
import { fileRequestTap } from '../../src/platform/request-log.ts';
import { GceSimulator, type GceSimulatorOptions } from '../../sim/gce/index.ts';

export const PROJECT = 'test-project';
export const ZONE = 'us-central1-a';

export interface Rig {
  sim: GceSimulator;
  compute: GceCompute;
  close(): Promise<void>;
}

export async function startRig(simOpts: GceSimulatorOptions = {}, adapterOpts: Partial<GceComputeOptions> = {}): Promise<Rig> {
  const sim = new GceSimulator({ project: PROJECT, ...simOpts });
  const { url } = await sim.listen(0, '127.0.0.1');
  const log = process.env.DEMO_VM_CONTRACT_LOG;
  const onRequest = log ? fileRequestTap(log) : undefined;
  const compute = new GceCompute({ project: PROJECT, apiEndpoint: url, minWaitIntervalMs: 0, retry: { baseMs: 2, maxMs: 10 }, onRequest, ...adapterOpts });
  return {
    sim,
    compute,
    async close() {
      await compute.close();
      await sim.close();
    },
  };
}

export const labelsFor = (demoId: string) => ({ 'managed-by': 'demo-vm', 'demo-id': demoId, owner: 'u024be7lh' });

export const rid = () => randomUUID();

/** Seed a READY machine image and launch an instance from it; resolves once the insert is DONE. */
export async function launch(rig: Rig, name: string, opts: { zone?: string; image?: string } = {}): Promise<OperationRef> {
  const image = opts.image ?? 'golden';
  if (!rig.sim.machineImage(image)) rig.sim.addMachineImage({ name: image, machineType: 'e2-medium' });
  const op = await rig.compute.insertInstance({
    name,
    zone: opts.zone ?? ZONE,
    sourceMachineImage: `projects/${PROJECT}/global/machineImages/${image}`,
    labels: labelsFor(name.replace(/^demo-/, '')),
    requestId: rid(),
  });
  const done = await rig.compute.waitOperation(op);
  if (done.error) throw new Error(`launch failed: ${done.error.code}`);
  return op;
}

export interface RigWithDatabase {
  rig: Rig;
  tdb: TestDatabase;
  h: DbHandle;
}

/** A simulator rig and a fresh PostgreSQL database (for a file's beforeAll). */
export async function startRigWithDatabase(simOpts: GceSimulatorOptions = {}, adapterOpts: Partial<GceComputeOptions> = {}): Promise<RigWithDatabase> {
  const rig = await startRig(simOpts, adapterOpts);
  const tdb = await createTestDatabase();
  return { rig, tdb, h: openPostgres(tdb.url) };
}

/** Closes what startRigWithDatabase made (for a file's afterAll; any part may be missing after a failed start). */
export async function closeRigWithDatabase(env: Partial<RigWithDatabase>): Promise<void> {
  await env.h?.close();
  await env.tdb?.drop();
  await env.rig?.close();
}
