/**
 * The @google-cloud/compute v1 clients we use, loaded with only the protos they need.
 *
 * Every client module of the package does `require('../../protos/protos.json')`: 12 MB of JSON for
 * v1, v1beta and v1small (2,216 v1 types alone), which gax then turns into one protobuf.js Root. Kept
 * whole, that is ~140 MB of resident memory for the six services we call. Before the first client
 * module loads, we put a pruned copy in the require cache under the same path: the compute.v1
 * services below, every message they reach, and the google.api / google.protobuf / operation
 * annotations the REST transport reads. The clients, the transport and the wire format are unchanged.
 */
import { once } from 'node:events';
import { createRequire, Module } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ProtoNode } from './compute-protos.ts';

const require = createRequire(import.meta.url);

/** The compute.v1 services whose clients we construct (one per import below). */
const SERVICES = ['Disks', 'GlobalOperations', 'Images', 'Instances', 'MachineImages', 'ZoneOperations'];

/**
 * Parsing the full 12 MB file takes ~100 MB of heap for a moment; V8 would keep that heap reserved
 * for the life of the process, so the parse and pruning run in a short-lived worker thread and only
 * the pruned JSON (~2% of it) comes back.
 */
async function installPrunedProtos(): Promise<void> {
  const path = require.resolve('@google-cloud/compute/build/protos/protos.json');
  if (require.cache[path]) return;
  // No inherited node flags: e.g. `--input-type` (for -e) would refuse the worker's file.
  const worker = new Worker(new URL('./prune-protos-worker.ts', import.meta.url), { workerData: { path, services: SERVICES }, execArgv: [] });
  const [pruned] = (await once(worker, 'message')) as [ProtoNode];
  const cached = new Module(path);
  cached.filename = path;
  cached.loaded = true;
  cached.exports = pruned;
  require.cache[path] = cached;
}

await installPrunedProtos();

type V1 = typeof import('@google-cloud/compute/build/src/v1/index.js');
// Each client's own module (not the v1 index, which loads all ~80 services' code).
export const { DisksClient } = require('@google-cloud/compute/build/src/v1/disks_client.js') as Pick<V1, 'DisksClient'>;
export const { GlobalOperationsClient } = require('@google-cloud/compute/build/src/v1/global_operations_client.js') as Pick<V1, 'GlobalOperationsClient'>;
export const { ImagesClient } = require('@google-cloud/compute/build/src/v1/images_client.js') as Pick<V1, 'ImagesClient'>;
export const { InstancesClient } = require('@google-cloud/compute/build/src/v1/instances_client.js') as Pick<V1, 'InstancesClient'>;
export const { MachineImagesClient } = require('@google-cloud/compute/build/src/v1/machine_images_client.js') as Pick<V1, 'MachineImagesClient'>;
export const { ZoneOperationsClient } = require('@google-cloud/compute/build/src/v1/zone_operations_client.js') as Pick<V1, 'ZoneOperationsClient'>;
export type DisksClient = InstanceType<V1['DisksClient']>;
export type GlobalOperationsClient = InstanceType<V1['GlobalOperationsClient']>;
export type ImagesClient = InstanceType<V1['ImagesClient']>;
export type InstancesClient = InstanceType<V1['InstancesClient']>;
export type MachineImagesClient = InstanceType<V1['MachineImagesClient']>;
export type ZoneOperationsClient = InstanceType<V1['ZoneOperationsClient']>;
