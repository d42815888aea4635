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
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { standIn } from '../require-stand-in.ts';

const require = createRequire(import.meta.url);

/** The compute.v1 services whose clients we construct (one per import below). */
const SERVICES = ['Disks', 'GlobalOperations', 'Images', 'Instances', 'MachineImages', 'ZoneOperations'];

export interface ProtoNode {
  nested?: Record<string, ProtoNode>;
  fields?: Record<string, { type: string; keyType?: string }>;
  methods?: Record<string, { requestType: string; responseType: string }>;
  [key: string]: unknown;
}

/** The protos.json subset: the named services of google.cloud.compute.v1 and what they reach. */
export function pruneComputeProtos(root: ProtoNode, services: readonly string[]): ProtoNode {
  const compute = root.nested!['google']!.nested!['cloud']!.nested!['compute']!;
  const v1 = compute.nested!['v1']!;
  const types = v1.nested!;
  const kept = new Map<string, ProtoNode>();
  const keep = (typeName: string) => {
    // Names are relative to the package ("Instance"), possibly qualified (".google.cloud.compute.v1.X")
    // or pointing into a message ("Operation.Status"): the top-level type holds all of those.
    const top = typeName.replace(/^\.google\.cloud\.compute\.v1\./, '').split('.')[0]!;
    const node = types[top];
    if (!node || kept.has(top)) return;
    kept.set(top, node);
    visit(node);
  };
  const visit = (node: ProtoNode) => {
    for (const method of Object.values(node.methods ?? {})) {
      keep(method.requestType);
      keep(method.responseType);
    }
    for (const field of Object.values(node.fields ?? {})) keep(field.type);
    for (const inner of Object.values(node.nested ?? {})) visit(inner);
  };
  for (const service of services) {
    if (!types[service]?.methods) throw new Error(`compute.v1 has no service ${service}`);
    keep(service);
  }
  const cloud = root.nested!['google']!.nested!['cloud']!;
  return {
    ...root,
    nested: {
      ...root.nested,
      google: {
        ...root.nested!['google'],
        nested: {
          ...root.nested!['google']!.nested,
          cloud: { ...cloud, nested: { ...cloud.nested, compute: { ...compute, nested: { v1: { ...v1, nested: Object.fromEntries(kept) } } } } },
        },
      },
    },
  };
}

// The full parse is garbage at once (a worker thread to hold it was measured: it costs more).
const protosPath = require.resolve('@google-cloud/compute/build/protos/protos.json');
standIn(require, protosPath, () => pruneComputeProtos(JSON.parse(readFileSync(protosPath, 'utf8')) as ProtoNode, SERVICES));

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
