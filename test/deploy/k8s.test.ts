import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { healthRoutes } from '../../src/platform/http-routes.ts';
import { parseDockerfile } from './dockerfile.ts';
import { KUSTOMIZE_KINDS, loadDocs, schemaErrors, unknownFields, yamlFiles, type K8sObject } from './k8s.ts';

const DIR = 'manifests/k8s';
const all = loadDocs(DIR);
const objects = all.filter((d) => !KUSTOMIZE_KINDS.has(d.doc.kind));
const kustomizations = all.filter((d) => KUSTOMIZE_KINDS.has(d.doc.kind));
// Narrow, typed views of the objects the checks below read.
type Probe = { httpGet?: { path: string; port: string | number } };
type Container = {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = {
  serviceAccountName?: string;
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: Array<{ name: string }>;
};
type Workload = K8sObject & { spec: { replicas?: number; selector?: { matchLabels: Record<string, string> }; strategy?: { type: string; rollingUpdate?: { maxUnavailable?: number | string } }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };

const one = <T extends K8sObject>(kind: string, name?: string) => {
  const found = objects.filter((o) => o.doc.kind === kind && (!name || o.doc.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!.doc as T;
};
const deployment = one<Workload>('Deployment');
const job = one<Workload>('Job');
const configMap = one<K8sObject & { data: Record<string, string> }>('ConfigMap');
const secret = one<K8sObject & { stringData: Record<string, string> }>('Secret');
const podLabels = deployment.spec.template.metadata.labels;
const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);

describe('Kubernetes manifests', () => {
  test('every object validates against the Kubernetes schema, with no field the API does not know', () => {
    expect(objects.length).toBeGreaterThanOrEqual(9);
    for (const { file, doc } of objects) {
      expect(schemaErrors(doc), `${file}: ${doc.kind} ${doc.metadata.name}`).toEqual([]);
      expect(unknownFields(doc), `${file}: unknown fields`).toEqual([]);
      expect(doc.metadata.namespace ?? (doc.kind === 'Namespace' ? undefined : 'missing'), `${file} namespace`).toBe(doc.kind === 'Namespace' ? undefined : 'demo-vm');
    }
  });

  test('the strict check catches a misspelt field and a wrong type (guards the check itself)', () => {
    const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    broken.spec.template.spec.containers[0]!['readinesProbe'] = { httpGet: { path: '/readyz', port: 'http' } };
    expect(unknownFields(broken as unknown as K8sObject)).toEqual(['/spec/template/spec/containers/0/readinesProbe']);
    broken.spec.template.spec.containers[0]!['ports'] = [{ containerPort: 'http' }];
    expect(schemaErrors(broken as unknown as K8sObject).map((e) => e.instancePath)).toContain('/spec/template/spec/containers/0/ports/0/containerPort');
  });

  test('kustomizations list every manifest once (the Secret example excepted), and they exist', () => {
    const listed = new Set<string>();
    for (const { file, doc } of kustomizations) {
      const k = doc as unknown as { namespace?: string; resources?: string[]; components?: string[] };
      if (doc.kind === 'Kustomization') expect(k.namespace, file).toBe('demo-vm');
      for (const r of k.resources ?? []) {
        const path = join(dirname(file), r);
        expect(existsSync(join(DIR, path)), `${file} → ${r}`).toBe(true);
        listed.add(path);
      }
      for (const c of k.components ?? []) expect(existsSync(join(DIR, dirname(file), c, 'kustomization.yaml')), `${file} → ${c}`).toBe(true);
    }
    const files = yamlFiles(DIR).map((f) => f.slice(DIR.length + 1)).filter((f) => !f.endsWith('kustomization.yaml'));
    expect(files.filter((f) => !listed.has(f))).toEqual(['examples/secret.yaml']);
    // One image setting, used by every container.
    const [image] = kustomizations.flatMap((k) => ((k.doc as unknown as { images?: Array<{ name: string; newName: string; newTag: string }> }).images ?? []));
    for (const w of [deployment, job]) for (const c of w.spec.template.spec.containers) expect(c.image).toBe(image!.name);
  });

  test('the Deployment: HTTP mode, 2 replicas, a rolling update that keeps both serving, requests and limits', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy?.type).toBe('RollingUpdate');
    expect(deployment.spec.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(matches(deployment.spec.selector!.matchLabels)).toBe(true);
    expect(configMap.data['SLACK_APP_TOKEN']).toBeUndefined(); // no Socket Mode
    expect(secret.stringData['SLACK_APP_TOKEN']).toBeUndefined();
    for (const w of [deployment, job]) {
      for (const c of w.spec.template.spec.containers) {
        for (const r of ['cpu', 'memory']) {
          expect(c.resources?.requests?.[r], `${c.name} requests.${r}`).toBeDefined();
          expect(c.resources?.limits?.[r], `${c.name} limits.${r}`).toBeDefined();
        }
      }
    }
  });

  test('probes: readiness on /readyz, liveness on /healthz, on the port the app listens on', () => {
    const [c] = deployment.spec.template.spec.containers;
    const routes = healthRoutes({ ready: {} }).map((r) => r.path);
    expect(c!.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c!.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(c!.startupProbe?.httpGet?.path).toBe('/healthz');
    for (const p of ['/readyz', '/healthz']) expect(routes).toContain(p);
    const port = c!.ports!.find((p) => p.name === c!.readinessProbe!.httpGet!.port)!;
    expect(String(port.containerPort)).toBe(configMap.data['PORT']);
    const exposed = parseDockerfile(readFileSync('Dockerfile', 'utf8')).at(-1)!.instructions.find((i) => i.op === 'EXPOSE')?.args;
    expect(exposed).toBe(String(port.containerPort));
  });

  test('pods run as non-root with a read-only root filesystem, no privilege escalation, no capabilities', () => {
    for (const w of [deployment, job]) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).not.toBe(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
        // npm and Node write temporary files: /tmp is the one writable mount.
        expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp']);
      }
    }
  });

  test('shutdown: the grace period covers the preStop pause and the app draining its job steps', () => {
    const pod = deployment.spec.template.spec;
    const preStop = pod.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const drain = Number(configMap.data['SHUTDOWN_GRACE_SECONDS'] ?? 20);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drain);
  });

  test('Service, PodDisruptionBudget and Ingress point at the Deployment’s pods; Slack reaches only /slack/events', () => {
    const service = one<K8sObject & { spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> } }>('Service');
    expect(matches(service.spec.selector)).toBe(true);
    const containerPorts = deployment.spec.template.spec.containers[0]!.ports!.map((p) => p.name);
    for (const p of service.spec.ports) expect(containerPorts).toContain(p.targetPort);
    const pdb = one<K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget');
    expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas!);
    const ingress = one<K8sObject & { spec: { rules: Array<{ http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }> } }> } }>('Ingress');
    const paths = ingress.spec.rules.flatMap((r) => r.http.paths);
    expect(paths.map((p) => [p.path, p.pathType])).toEqual([['/slack/events', 'Exact']]);
    for (const p of paths) expect(p.backend.service).toEqual({ name: service.metadata.name, port: { name: service.spec.ports[0]!.name } });
  });

  test('the ServiceAccount is annotated for GKE Workload Identity and used by the pods', () => {
    const sa = one<K8sObject>('ServiceAccount');
    expect(sa.metadata.annotations?.['iam.gke.io/gcp-service-account']).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/);
    for (const w of [deployment, job]) expect(w.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  test('the migration Job runs `npm run migrate` once, with the app’s settings and Secret', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const [c] = job.spec.template.spec.containers;
    expect(c!.command).toEqual(['npm', 'run', 'migrate']);
    expect(pkg.scripts['migrate']).toBe('node src/migrate.ts');
    expect(existsSync('src/migrate.ts')).toBe(true);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(c!.envFrom).toEqual(deployment.spec.template.spec.containers[0]!.envFrom);
  });

  test('ConfigMap and Secret: known variables only, no secret in the ConfigMap, placeholders in the example, and the app accepts them', () => {
    const known = new Set([...readFileSync('src/config.ts', 'utf8').matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!));
    for (const key of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) expect(known, key).toContain(key);
    for (const key of Object.keys(configMap.data)) expect(key).not.toMatch(/TOKEN|SECRET|PASSWORD|DATABASE_URL/);
    for (const [key, value] of Object.entries(secret.stringData)) expect(value, key).toMatch(/REPLACE-ME/);
    const envFrom = deployment.spec.template.spec.containers[0]!.envFrom!;
    expect(envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
    const config = loadConfig({ ...configMap.data, ...secret.stringData });
    expect(config).toMatchObject({ env: 'production', port: 3000, slack: { mode: 'http' }, database: { kind: 'postgres' }, gce: { mode: 'gce' } });
  });

  test('the example Secret is kept out of `kubectl apply -k` and documented', () => {
    const base = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(base.resources.some((r) => r.includes('secret'))).toBe(false);
    expect(readFileSync('docs/DEPLOY.md', 'utf8')).toContain('create secret generic demo-vm');
  });
});
