import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { pruneComputeProtos, type ProtoNode } from '../../src/platform/compute/gce-clients.ts';

const require = createRequire(import.meta.url);
const PATH = require.resolve('@google-cloud/compute/build/protos/protos.json');
const SERVICES = ['Disks', 'GlobalOperations', 'Images', 'Instances', 'MachineImages', 'ZoneOperations'];
const v1 = (root: ProtoNode) => root.nested!['google']!.nested!['cloud']!.nested!['compute']!.nested!['v1']!.nested!;

describe('the pruned compute protos', () => {
  const full = JSON.parse(readFileSync(PATH, 'utf8')) as ProtoNode;
  const pruned = pruneComputeProtos(full, SERVICES);

  test('keep our six services and everything they reach, and resolve in protobuf.js', () => {
    const root = protobuf.Root.fromJSON(pruned as protobuf.INamespace);
    root.resolveAll(); // throws on any type a kept field or method names but the pruning dropped
    for (const s of SERVICES) expect(root.lookupService(`google.cloud.compute.v1.${s}`).methods).toBeTruthy();
    const insert = root.lookupService('google.cloud.compute.v1.Instances').methods['Insert']!;
    expect(insert.resolvedRequestType?.name).toBe('InsertInstanceRequest');
    expect(insert.options?.['(google.api.http).post']).toBe('/compute/v1/projects/{project}/zones/{zone}/instances');
    expect(root.lookupType('google.cloud.compute.v1.Instance').fields['networkInterfaces']?.resolvedType?.name).toBe('NetworkInterface');
  });

  test('are a small part of the whole: no v1beta, v1small or unused v1 services', () => {
    const kept = Object.keys(v1(pruned));
    expect(kept.length).toBeLessThan(Object.keys(v1(full)).length / 5);
    expect(kept).not.toContain('Firewalls');
    const compute = pruned.nested!['google']!.nested!['cloud']!.nested!['compute']!.nested!;
    expect(Object.keys(compute)).toEqual(['v1']);
    expect(JSON.stringify(pruned).length).toBeLessThan(JSON.stringify(full).length / 10);
  });

  test('are what the client modules load (the require cache holds the pruned copy)', () => {
    const loaded = require(PATH) as ProtoNode;
    expect(Object.keys(v1(loaded)).sort()).toEqual(Object.keys(v1(pruned)).sort());
  });

  test('an unknown service is an error, not a silently empty client', () => {
    expect(() => pruneComputeProtos(full, ['NoSuchService'])).toThrow(/no service NoSuchService/);
  });
});
