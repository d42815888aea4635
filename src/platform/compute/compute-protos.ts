/** Pruning @google-cloud/compute's protos.json to the services we call (see gce-clients.ts). */

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
