/**
 * Offline Kubernetes validation for tests: the JSON schemas of kubernetes-models (compiled ajv),
 * plus what those schemas leave out and `kubectl apply --validate=strict` would refuse: fields the
 * API does not know (a misspelt `readinessProbe` validates, and is silently dropped). Custom
 * resources kubernetes-models does not ship (Google Managed Prometheus's PodMonitoring) get a strict
 * zod schema here, read off their CRD, behind the same interface.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { Job } from 'kubernetes-models/batch/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface LoadedDoc {
  file: string;
  doc: K8sObject;
}

interface ModelClass {
  new (data: never): { validate(): void };
}

/** A zod schema as a model: validate() throws ajv-shaped errors (JSON pointer paths), as kubernetes-models does. */
function zodModel(schema: z.ZodType): ModelClass {
  return class {
    readonly data: unknown;
    constructor(data: unknown) {
      this.data = data;
    }
    validate(): void {
      const result = schema.safeParse(this.data);
      if (result.success) return;
      throw Object.assign(new Error('invalid'), {
        errors: result.error.issues.map((i) => ({ instancePath: pointer(i.path as Array<string | number>), message: i.message })),
      });
    }
  } as unknown as ModelClass;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const objectMeta = z.strictObject({
  name: z.string().max(253).regex(dnsSubdomain),
  namespace: z.string().max(63).regex(dnsLabel).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }))
    .optional(),
});
// A Prometheus duration ("30s", "1m30s"), as the CRD's `format: duration` asks.
const promDuration = z.string().regex(/^(?:0|(?=\d)(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?)$/);
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/);

/**
 * monitoring.googleapis.com/v1 PodMonitoring (Google Cloud Managed Service for Prometheus), from the
 * CRD podmonitorings.monitoring.googleapis.com: the fields of `spec` this project may use, each with
 * the CRD's type and limits. A field the CRD has but this leaves out (tls, authorization, oauth2…)
 * reads as unknown: add it here from the CRD before using it.
 */
const podMonitoring = z.strictObject({
  apiVersion: z.literal('monitoring.googleapis.com/v1'),
  kind: z.literal('PodMonitoring'),
  metadata: objectMeta,
  spec: z.strictObject({
    selector: labelSelector,
    endpoints: z
      .array(
        z.strictObject({
          port: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(253)]),
          path: z.string().startsWith('/').optional(),
          scheme: z.enum(['http', 'https']).optional(),
          interval: promDuration,
          timeout: promDuration.optional(),
          params: z.record(z.string(), z.array(z.string())).optional(),
          metricRelabeling: z
            .array(
              z.strictObject({
                action: z.enum(['replace', 'lowercase', 'uppercase', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labeldrop', 'labelkeep']).optional(),
                sourceLabels: z.array(labelName).max(100).optional(),
                separator: z.string().optional(),
                regex: z.string().max(10000).optional(),
                modulus: z.number().int().optional(),
                targetLabel: labelName.optional(),
                replacement: z.string().optional(),
              }),
            )
            .max(250)
            .optional(),
        }),
      )
      .min(1)
      .max(10),
    filterRunning: z.boolean().optional(),
    limits: z
      .strictObject({ samples: z.number().int(), labels: z.number().int(), labelNameLength: z.number().int(), labelValueLength: z.number().int() })
      .partial()
      .optional(),
    targetLabels: z
      .strictObject({
        metadata: z.array(z.enum(['container', 'node', 'pod', 'top_level_controller_name', 'top_level_controller_type'])).optional(),
        fromPod: z
          .array(z.strictObject({ from: z.string(), to: labelName.optional() }))
          .max(100)
          .optional(),
      })
      .optional(),
  }),
});

/** Every kind the manifests may use; anything else fails the test until it is added here. */
export const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.googleapis.com/v1/PodMonitoring': zodModel(podMonitoring),
} as unknown as Record<string, ModelClass>;

/** Kustomize's own files are not Kubernetes objects. */
export const KUSTOMIZE_KINDS = new Set(['Kustomization', 'Component']);

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

export function loadDocs(dir: string): LoadedDoc[] {
  return yamlFiles(dir).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return { file: relative(dir, file), doc: d.toJS() as K8sObject };
    }),
  );
}

function modelOf(doc: K8sObject): ModelClass {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no model for ${doc.apiVersion} ${doc.kind}: add it to MODELS`);
  return Model;
}

interface AjvError {
  instancePath: string;
  message?: string;
}

/** Schema errors of an object, as ajv reports them (empty when valid). */
export function schemaErrors(doc: K8sObject, Model: ModelClass = modelOf(doc)): AjvError[] {
  try {
    new Model(structuredClone(doc) as never).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!errors) throw err;
    return errors;
  }
}

const pointer = (path: Array<string | number>) => path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
// No field of the API accepts this: not a string, number, boolean or object, and its items are arrays.
const PROBE = [[[]]];

/**
 * Fields the schema does not know. Each key is replaced by a value no field accepts: a known field
 * (free-form maps such as labels included) then fails validation at that path, an unknown one does not.
 */
export function unknownFields(doc: K8sObject): string[] {
  const Model = modelOf(doc);
  const unknown: string[] = [];
  const walk = (value: unknown, path: Array<string | number>): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...path, i]));
    if (!value || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      const probe = structuredClone(doc) as unknown as Record<string | number, unknown>;
      const parent = path.reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, probe);
      parent[key] = PROBE;
      const at = pointer([...path, key]);
      const known = schemaErrors(probe as unknown as K8sObject, Model).some((e) => e.instancePath === at || e.instancePath.startsWith(`${at}/`));
      if (known) walk((value as Record<string, unknown>)[key], [...path, key]);
      else unknown.push(at);
    }
  };
  walk(doc, []);
  return unknown;
}
