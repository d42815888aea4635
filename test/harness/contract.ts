/**
 * The schema contract: what we hand to Google's clients, and what our GCE simulator answers, checked
 * field by field against Google's own message definitions — the protos.json each client library ships
 * (its package has no `exports` map, so the file is read by path like any of its files).
 *
 * Requests are checked as the client takes them (protobufjs field names; int64 as a number or a
 * decimal string), simulator responses as proto3 JSON (int64 as a string). An unknown field, a wrong
 * type or an enum value the schema does not list is an error. The capture files come from
 * DEMO_VM_CONTRACT_LOG (src/platform/request-log.ts, sim/gce/server.ts); the global teardown checks
 * every file of the run (global-setup.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Json = Record<string, any>;
interface Scope {
  root: Json;
  /** Full name of the namespace or message, e.g. google.cloud.compute.v1.Instance. */
  name: string;
  def: Json;
}

const require = createRequire(import.meta.url);
const ROOTS: Array<[prefix: string, root: Json]> = [
  ['google.cloud.compute.v1.', require('@google-cloud/compute/build/protos/protos.json') as Json],
  ['google.devtools.cloudbuild.v1.', require('@google-cloud/cloudbuild/build/protos/protos.json') as Json],
];

/** Well-known types, as protobufjs and proto3 JSON take them. */
const WELL_KNOWN: Record<string, Json> = {
  'google.protobuf.Duration': { fields: { seconds: { type: 'int64' }, nanos: { type: 'int32' } } },
  'google.protobuf.Timestamp': { fields: { seconds: { type: 'int64' }, nanos: { type: 'int32' } } },
};

function lookup(root: Json, fullName: string): Json | undefined {
  let node: Json | undefined = root;
  for (const part of fullName.split('.')) node = node?.nested?.[part];
  return node;
}

/** A type name as protobuf resolves it: from the innermost scope outwards. */
function resolve(scope: Scope, typeName: string): Scope | undefined {
  if (WELL_KNOWN[typeName]) return { root: scope.root, name: typeName, def: WELL_KNOWN[typeName] };
  const parts = scope.name.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const name = [...parts.slice(0, i), typeName].join('.');
    const def = lookup(scope.root, name);
    if (def) return { root: scope.root, name, def };
  }
  return undefined;
}

export function messageScope(fullName: string): Scope {
  const found = ROOTS.find(([prefix]) => fullName.startsWith(prefix));
  const def = found && lookup(found[1], fullName);
  if (!found || !def) throw new Error(`contract: no message ${fullName} in the client libraries' protos`);
  return { root: found[1], name: fullName, def };
}

/** The request message of a client method: `google.cloud.compute.v1.Instances` + `insert` → …InsertInstanceRequest. */
export function requestScope(service: string, method: string): Scope {
  const svc = messageScope(service);
  const rpc = method.replace(/Async$/, '');
  const def = svc.def.methods?.[rpc[0]!.toUpperCase() + rpc.slice(1)];
  if (!def) throw new Error(`contract: ${service} has no method ${method}`);
  return resolve(svc, def.requestType)!;
}

const INTEGER = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function checkScalar(type: string, v: unknown, json: boolean): string | null {
  if (type === 'string' || type === 'bytes') return typeof v === 'string' ? null : 'a string';
  if (type === 'bool') return typeof v === 'boolean' ? null : 'a boolean';
  if (type === 'double' || type === 'float') return typeof v === 'number' ? null : 'a number';
  if (INTEGER.has(type)) return Number.isInteger(v) ? null : 'an integer';
  if (LONG.has(type)) {
    const decimal = typeof v === 'string' && /^-?\d+$/.test(v);
    if (json) return decimal ? null : 'an int64 as a decimal string';
    return decimal || Number.isInteger(v) ? null : 'an int64 (integer or decimal string)';
  }
  return `a known scalar (${type} is not)`;
}

/** Compute's protos carry enums as strings: field `fooBar` takes the names of the nested enum `FooBar`. */
function enumOfStringField(scope: Scope, field: string): Json | undefined {
  const e = scope.def.nested?.[field[0]!.toUpperCase() + field.slice(1)];
  return e?.values ? e : undefined;
}

function checkValue(scope: Scope, field: string, fdef: Json, v: unknown, path: string, json: boolean, out: string[]): void {
  if (v === null || v === undefined) return;
  const target = resolve(scope, fdef.type);
  if (target?.def.fields) return void checkMessage(target, v, path, json, out);
  if (target?.def.values) {
    if (!(typeof v === 'string' ? v in target.def.values : Object.values(target.def.values).includes(v)))
      out.push(`${path}: ${JSON.stringify(v)} is not a value of enum ${target.name}`);
    return;
  }
  const problem = checkScalar(fdef.type, v, json);
  if (problem) return void out.push(`${path}: expected ${problem}, got ${JSON.stringify(v)}`);
  const e = fdef.type === 'string' ? enumOfStringField(scope, field) : undefined;
  if (e && !((v as string) in e.values))
    out.push(`${path}: ${JSON.stringify(v)} is not a value of enum ${scope.name}.${field[0]!.toUpperCase()}${field.slice(1)}`);
}

/** Every problem of `value` as a `scope` message, with its path. */
export function checkMessage(scope: Scope, value: unknown, path: string, json: boolean, out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected a ${scope.name} object, got ${JSON.stringify(value)}`);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    const fdef = scope.def.fields[key];
    const at = `${path}.${key}`;
    if (!fdef) {
      out.push(`${at}: ${scope.name} has no field ${key}`);
      continue;
    }
    if (fdef.rule === 'repeated') {
      if (!Array.isArray(v)) out.push(`${at}: expected a list, got ${JSON.stringify(v)}`);
      else v.forEach((item, i) => checkValue(scope, key, fdef, item, `${at}[${i}]`, json, out));
    } else if (fdef.keyType) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) out.push(`${at}: expected a map, got ${JSON.stringify(v)}`);
      else for (const [k, item] of Object.entries(v)) checkValue(scope, key, fdef, item, `${at}[${JSON.stringify(k)}]`, json, out);
    } else checkValue(scope, key, fdef, v, at, json, out);
  }
  return out;
}

const RESOURCE: Record<string, string> = {
  instances: 'Instance',
  machineImages: 'MachineImage',
  images: 'Image',
  disks: 'Disk',
  machineTypes: 'MachineType',
  zoneOperations: 'Operation',
  globalOperations: 'Operation',
};

/** The message a simulator route answers with: `instances.get` → Instance, `.list` → InstanceList, a mutation → Operation. */
export function responseScope(simMethod: string): Scope | undefined {
  const [family = '', verb = ''] = simMethod.split('.');
  const type = RESOURCE[family];
  if (!type) return undefined;
  const name = verb === 'get' ? type : verb === 'list' ? `${type}List` : verb === 'aggregatedList' ? `${type}AggregatedList` : 'Operation';
  return messageScope(`google.cloud.compute.v1.${name}`);
}

/** Check every capture in `dir`; returns the problems, each once, with how often it was seen. */
export function checkCaptures(dir: string): { checked: number; problems: string[] } {
  const seen = new Map<string, number>();
  let checked = 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line) as Json;
      const problems = file.startsWith('requests-')
        ? checkMessage(requestScope(entry.service, entry.method), entry.request, `${entry.service.split('.').at(-1)}.${entry.method}(request)`, false)
        : entry.status === 200 && responseScope(entry.method)
          ? checkMessage(responseScope(entry.method)!, entry.body, `simulator ${entry.method} response`, true)
          : [];
      checked++;
      for (const p of problems) seen.set(p, (seen.get(p) ?? 0) + 1);
    }
  }
  return { checked, problems: [...seen].map(([p, n]) => (n > 1 ? `${p} (×${n})` : p)) };
}
