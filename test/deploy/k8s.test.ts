import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Registry } from 'prom-client';
import { healthRoutes } from '../../src/platform/http-routes.ts';
import { metricsRoute } from '../../src/platform/metrics.ts';
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
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
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
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
type Workload = K8sObject & {
  spec: {
    replicas?: number;
    selector?: Selector;
    strategy?: { type: string; rollingUpdate?: { maxUnavailable?: number | string } };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
};
type Hpa = K8sObject & {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: Array<{ type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }>;
  };
};
type Pdb = K8sObject & { spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: Selector } };
type PodMonitoring = K8sObject & { spec: { selector: Selector; endpoints: Array<{ port: string | number; path?: string; interval: string }> } };

const ofKind = <T extends K8sObject>(kind: string) => objects.filter((o) => o.doc.kind === kind).map((o) => o.doc as T);
const one = <T extends K8sObject>(kind: string, name?: string) => {
  const found = objects.filter((o) => o.doc.kind === kind && (!name || o.doc.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!.doc as T;
};
const web = one<Workload>('Deployment', 'demo-vm-web');
const worker = one<Workload>('Deployment', 'demo-vm-worker');
const deployments = [web, worker];
const job = one<Workload>('Job');
const configMap = one<K8sObject & { data: Record<string, string> }>('ConfigMap');
const secret = one<K8sObject & { stringData: Record<string, string> }>('Secret');
const podMonitoring = one<PodMonitoring>('PodMonitoring');

/** Whether a label selector (matchLabels and matchExpressions, ANDed) selects pods with these labels. */
function selects(selector: Selector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key]!);
    if (operator === 'NotIn') return !(key in labels) || !values.includes(labels[key]!);
    if (operator === 'Exists') return key in labels;
    if (operator === 'DoesNotExist') return !(key in labels);
    throw new Error(`operator ${operator}`);
  });
  return byLabels && byExpressions;
}
const podLabels = (w: Workload) => w.spec.template.metadata.labels;
const container = (w: Workload) => {
  expect(w.spec.template.spec.containers, `${w.metadata.name}: one container`).toHaveLength(1);
  return w.spec.template.spec.containers[0]!;
};
const envOf = (w: Workload) => Object.fromEntries((container(w).env ?? []).map((e) => [e.name, e.value ?? '']));
/** Kubernetes quantities as bytes (memory) or cores (cpu). */
function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(q);
  if (!m) throw new Error(`quantity ${q}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}
const memoryLimit = (w: Workload) => quantity(container(w).resources!.limits!['memory']!);

describe('Kubernetes manifests', () => {
  test('every object validates against the Kubernetes schema (or its CRD), with no field the API does not know', () => {
    expect(objects.length).toBeGreaterThanOrEqual(14);
    for (const { file, doc } of objects) {
      expect(schemaErrors(doc), `${file}: ${doc.kind} ${doc.metadata.name}`).toEqual([]);
      expect(unknownFields(doc), `${file}: unknown fields`).toEqual([]);
      expect(doc.metadata.namespace ?? (doc.kind === 'Namespace' ? undefined : 'missing'), `${file} namespace`).toBe(
        doc.kind === 'Namespace' ? undefined : 'demo-vm',
      );
    }
  });

  test('the strict check catches a misspelt field and a wrong type (guards the check itself)', () => {
    const broken = structuredClone(web) as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    broken.spec.template.spec.containers[0]!['readinesProbe'] = { httpGet: { path: '/readyz', port: 'http' } };
    expect(unknownFields(broken as unknown as K8sObject)).toEqual(['/spec/template/spec/containers/0/readinesProbe']);
    broken.spec.template.spec.containers[0]!['ports'] = [{ containerPort: 'http' }];
    expect(schemaErrors(broken as unknown as K8sObject).map((e) => e.instancePath)).toContain('/spec/template/spec/containers/0/ports/0/containerPort');
    // The same for the PodMonitoring, whose schema is ours (k8s.ts), not kubernetes-models'.
    const pm = structuredClone(podMonitoring) as unknown as { spec: { selector?: unknown; endpoints: Array<Record<string, unknown>> } };
    pm.spec.endpoints[0]!['intervall'] = '30s';
    expect(unknownFields(pm as unknown as K8sObject)).toEqual(['/spec/endpoints/0/intervall']);
    pm.spec.endpoints[0]!['interval'] = '30 seconds';
    pm.spec.endpoints[0]!['port'] = { name: 'http' };
    delete pm.spec.selector;
    expect(schemaErrors(pm as unknown as K8sObject).map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/spec/endpoints/0/interval', '/spec/endpoints/0/port', '/spec/selector']),
    );
  });

  test('kustomizations list every manifest once (the Secret example excepted), and they exist', () => {
    const listed = new Set<string>();
    for (const { file, doc } of kustomizations) {
      const k = doc as unknown as { namespace?: string; resources?: string[]; components?: string[] };
      if (doc.kind === 'Kustomization') expect(k.namespace, file).toBe('demo-vm');
      for (const r of k.resources ?? []) {
        const path = join(dirname(file), r);
        expect(existsSync(join(DIR, path)), `${file} → ${r}`).toBe(true);
        expect(listed.has(path), `${path} listed twice`).toBe(false);
        listed.add(path);
      }
      for (const c of k.components ?? []) expect(existsSync(join(DIR, dirname(file), c, 'kustomization.yaml')), `${file} → ${c}`).toBe(true);
    }
    const files = yamlFiles(DIR)
      .map((f) => f.slice(DIR.length + 1))
      .filter((f) => !f.endsWith('kustomization.yaml'));
    expect(files.filter((f) => !listed.has(f))).toEqual(['examples/secret.yaml']);
    // The base is both roles and what serves them; the migration Job and PodMonitoring are apart.
    const base = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[]; components: string[] };
    const inBase = objects.filter((o) => base.resources.includes(o.file)).map((o) => `${o.doc.kind}/${o.doc.metadata.name}`);
    expect(inBase.sort()).toEqual(
      [
        'Namespace/demo-vm',
        'ServiceAccount/demo-vm',
        'ServiceAccount/demo-vm-web',
        'ConfigMap/demo-vm',
        'Deployment/demo-vm-web',
        'Deployment/demo-vm-worker',
        'HorizontalPodAutoscaler/demo-vm-web',
        'Service/demo-vm',
        'PodDisruptionBudget/demo-vm-web',
        'PodDisruptionBudget/demo-vm-worker',
        'Ingress/demo-vm',
      ].sort(),
    );
    // PodMonitoring needs Managed Prometheus' CRD on the cluster: a component one turns on.
    expect(base.components).toEqual(['components/image']);
    const pmFile = objects.find((o) => o.doc.kind === 'PodMonitoring')!.file;
    const pmComponent = kustomizations.find(
      (k) => k.doc.kind === 'Component' && ((k.doc as unknown as { resources?: string[] }).resources ?? []).some((r) => join(dirname(k.file), r) === pmFile),
    )!;
    expect(pmComponent.file).toBe('components/pod-monitoring/kustomization.yaml');
    expect(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')).toMatch(/^\s*# - components\/pod-monitoring$/m);
    // One image setting, used by every container.
    const [image] = kustomizations.flatMap((k) => (k.doc as unknown as { images?: Array<{ name: string; newName: string; newTag: string }> }).images ?? []);
    for (const w of [...deployments, job]) for (const c of w.spec.template.spec.containers) expect(c.image).toBe(image!.name);
  });

  test('two Deployments from one image, told apart by ROLE: web and worker, each selecting only its own pods', () => {
    expect(ofKind('Deployment')).toHaveLength(2);
    expect(envOf(web)['ROLE']).toBe('web');
    expect(envOf(worker)['ROLE']).toBe('worker');
    expect(configMap.data['ROLE']).toBeUndefined(); // the role is the Deployment's, never shared
    for (const w of deployments) {
      expect(selects(w.spec.selector!, podLabels(w)), w.metadata.name).toBe(true);
      expect(podLabels(w)['app.kubernetes.io/component']).toBe(envOf(w)['ROLE']);
      expect(w.spec.strategy?.type).toBe('RollingUpdate');
      expect(w.spec.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    }
    expect(selects(web.spec.selector!, podLabels(worker))).toBe(false);
    expect(selects(worker.spec.selector!, podLabels(web))).toBe(false);
    expect(selects(web.spec.selector!, podLabels(job)) || selects(worker.spec.selector!, podLabels(job))).toBe(false);
    // The worker's count is fixed; web's belongs to its autoscaler (a `replicas` would reset it on apply).
    expect(worker.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(web.spec.replicas).toBeUndefined();
    expect(configMap.data['SLACK_APP_TOKEN']).toBeUndefined(); // no Socket Mode
    expect(secret.stringData['SLACK_APP_TOKEN']).toBeUndefined();
  });

  test('the autoscaler scales web, on CPU, from 2; nothing scales the worker', () => {
    const hpas = ofKind<Hpa>('HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const [hpa] = hpas;
    expect(hpa!.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: web.metadata.name });
    expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
    expect(hpa!.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } },
    ]);
    // Utilization is of the request: without one the autoscaler cannot compute it.
    expect(container(web).resources?.requests?.['cpu']).toBeDefined();
  });

  test('resources: every container has requests and limits; the worker gets more memory; the heap cap sits under each limit', () => {
    for (const w of [...deployments, job]) {
      for (const c of w.spec.template.spec.containers) {
        for (const r of ['cpu', 'memory']) {
          expect(c.resources?.requests?.[r], `${w.metadata.name} requests.${r}`).toBeDefined();
          expect(c.resources?.limits?.[r], `${w.metadata.name} limits.${r}`).toBeDefined();
          expect(quantity(c.resources!.requests![r]!)).toBeLessThanOrEqual(quantity(c.resources!.limits![r]!));
        }
      }
    }
    expect(memoryLimit(worker)).toBeGreaterThan(memoryLimit(web));
    expect(quantity(container(web).resources!.requests!['memory']!)).toBeLessThanOrEqual(256 * 2 ** 20); // web stays small
    for (const w of deployments) {
      // The image's CMD runs (its V8 and malloc settings); the Deployment adds only the heap cap.
      expect(container(w).command, w.metadata.name).toBeUndefined();
      expect(container(w).args, w.metadata.name).toBeUndefined();
      const heapMb = Number(/^--max-old-space-size=(\d+)$/.exec(envOf(w)['NODE_OPTIONS'] ?? '')?.[1]);
      expect(heapMb, `${w.metadata.name} NODE_OPTIONS`).toBeGreaterThan(0);
      // Room for what is not V8's old space: Node, code, young generation, buffers, malloc.
      expect(heapMb * 2 ** 20, w.metadata.name).toBeLessThanOrEqual(memoryLimit(w) * 0.6);
    }
  });

  test('probes: readiness on /readyz, liveness and startup on /healthz, on the port the app listens on', () => {
    const routes = healthRoutes({ role: 'all', ready: {} }).map((r) => r.path);
    for (const p of ['/readyz', '/healthz']) expect(routes).toContain(p);
    const exposed = parseDockerfile(readFileSync('Dockerfile', 'utf8'))
      .at(-1)!
      .instructions.find((i) => i.op === 'EXPOSE')?.args;
    for (const w of deployments) {
      const c = container(w);
      expect(c.readinessProbe?.httpGet?.path, w.metadata.name).toBe('/readyz');
      expect(c.livenessProbe?.httpGet?.path, w.metadata.name).toBe('/healthz');
      expect(c.startupProbe?.httpGet?.path, w.metadata.name).toBe('/healthz');
      const port = c.ports!.find((p) => p.name === c.readinessProbe!.httpGet!.port)!;
      for (const probe of [c.livenessProbe, c.startupProbe]) expect(probe?.httpGet?.port).toBe(port.name);
      expect(String(port.containerPort)).toBe(configMap.data['PORT']);
      expect(exposed).toBe(String(port.containerPort));
    }
  });

  test('pods run as non-root with a read-only root filesystem, no privilege escalation, no capabilities', () => {
    for (const w of [...deployments, job]) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).not.toBe(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        // npm and Node write temporary files: /tmp is the one writable mount.
        expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp']);
      }
    }
  });

  test('shutdown: each grace period covers its preStop pause and its drain; the worker’s job steps get longer', () => {
    const drain = (w: Workload) => Number(envOf(w)['SHUTDOWN_GRACE_SECONDS'] ?? configMap.data['SHUTDOWN_GRACE_SECONDS'] ?? 20);
    for (const w of deployments) {
      const pod = w.spec.template.spec;
      const preStop = pod.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(pod.terminationGracePeriodSeconds, w.metadata.name).toBeGreaterThan(preStop + drain(w));
    }
    // Web waits for the load balancer to stop sending it requests; no load balancer sends the worker any.
    expect(container(web).lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
    expect(drain(worker)).toBeGreaterThan(drain(web));
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(web.spec.template.spec.terminationGracePeriodSeconds!);
  });

  test('Service and Ingress reach web pods only; Slack reaches only /slack/events', () => {
    const service = one<K8sObject & { spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> } }>('Service');
    expect(selects({ matchLabels: service.spec.selector }, podLabels(web))).toBe(true);
    expect(selects({ matchLabels: service.spec.selector }, podLabels(worker))).toBe(false);
    const containerPorts = container(web).ports!.map((p) => p.name);
    for (const p of service.spec.ports) expect(containerPorts).toContain(p.targetPort);
    const ingress = one<
      K8sObject & {
        spec: { rules: Array<{ http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }> } }> };
      }
    >('Ingress');
    const paths = ingress.spec.rules.flatMap((r) => r.http.paths);
    expect(paths.map((p) => [p.path, p.pathType])).toEqual([['/slack/events', 'Exact']]);
    for (const p of paths) expect(p.backend.service).toEqual({ name: service.metadata.name, port: { name: service.spec.ports[0]!.name } });
  });

  test('a PodDisruptionBudget for each role lets one pod go at a time', () => {
    const pdbs = ofKind<Pdb>('PodDisruptionBudget');
    const minReplicas = { [web.metadata.name]: one<Hpa>('HorizontalPodAutoscaler').spec.minReplicas, [worker.metadata.name]: worker.spec.replicas! };
    for (const w of deployments) {
      const mine = pdbs.filter((p) => selects(p.spec.selector, podLabels(w)));
      expect(mine, w.metadata.name).toHaveLength(1);
      const [pdb] = mine;
      // Either form, as long as at least one pod stays and at least one may go.
      if (pdb!.spec.maxUnavailable !== undefined) expect(pdb!.spec.maxUnavailable).toBe(1);
      else expect(Number(pdb!.spec.minAvailable)).toBeLessThan(minReplicas[w.metadata.name]!);
      expect(minReplicas[w.metadata.name]).toBeGreaterThanOrEqual(2);
    }
    expect(pdbs).toHaveLength(2);
  });

  test('service accounts: the worker acts as the Google service account (Workload Identity); web and the migration get no Google identity', () => {
    const accounts = new Map(ofKind('ServiceAccount').map((sa) => [sa.metadata.name, sa]));
    const gsa = (name?: string) => accounts.get(name!)?.metadata.annotations?.['iam.gke.io/gcp-service-account'];
    const workerSa = worker.spec.template.spec.serviceAccountName;
    expect(gsa(workerSa)).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/);
    for (const w of [web, job]) {
      const name = w.spec.template.spec.serviceAccountName;
      expect(accounts.has(name!), `${w.metadata.name} → ${name}`).toBe(true);
      expect(name).not.toBe(workerSa);
      expect(gsa(name), `${w.metadata.name} must not act as a Google service account`).toBeUndefined();
    }
    for (const sa of accounts.values()) expect((sa as K8sObject & { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(false);
  });

  test('the migration Job runs `npm run migrate` once, with the app’s settings and Secret', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const [c] = job.spec.template.spec.containers;
    expect(c!.command).toEqual(['npm', 'run', 'migrate']);
    expect(pkg.scripts['migrate']).toBe('node src/migrate.ts');
    expect(existsSync('src/migrate.ts')).toBe(true);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    for (const w of deployments) expect(c!.envFrom).toEqual(container(w).envFrom);
  });

  test('ConfigMap, Secret and each role’s env: known variables only, no secret in the ConfigMap, placeholders in the example, and the app accepts them', () => {
    const known = new Set([...readFileSync('src/config.ts', 'utf8').matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!));
    for (const key of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) expect(known, key).toContain(key);
    for (const key of Object.keys(configMap.data)) expect(key).not.toMatch(/TOKEN|SECRET|PASSWORD|DATABASE_URL/);
    for (const [key, value] of Object.entries(secret.stringData)) expect(value, key).toMatch(/REPLACE-ME/);
    for (const w of deployments) {
      // NODE_OPTIONS is Node's own; ROLE is checked by value above (web | worker).
      for (const key of Object.keys(envOf(w))) if (key !== 'NODE_OPTIONS' && key !== 'ROLE') expect(known, `${w.metadata.name} env ${key}`).toContain(key);
      expect(container(w).envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
      // env wins over envFrom in Kubernetes, so the role's env goes last.
      const { NODE_OPTIONS: _node, ...env } = envOf(w);
      const config = loadConfig({ ...configMap.data, ...secret.stringData, ...env });
      expect(config).toMatchObject({ env: 'production', port: 3000, slack: { mode: 'http' }, database: { kind: 'postgres' }, gce: { mode: 'gce' } });
    }
  });

  test('PodMonitoring (component): scrapes /metrics every 30 s on the named port of both roles’ pods, and not the migration’s', () => {
    expect(selects(podMonitoring.spec.selector, podLabels(web))).toBe(true);
    expect(selects(podMonitoring.spec.selector, podLabels(worker))).toBe(true);
    expect(selects(podMonitoring.spec.selector, podLabels(job))).toBe(false);
    expect(podMonitoring.spec.endpoints).toHaveLength(1);
    const [endpoint] = podMonitoring.spec.endpoints;
    expect(endpoint).toMatchObject({ path: '/metrics', interval: '30s' });
    for (const w of deployments) {
      const port = container(w).ports!.find((p) => p.name === endpoint!.port);
      expect(port, `${w.metadata.name} has port ${endpoint!.port}`).toBeDefined();
      expect(w.spec.template.metadata).toMatchObject({
        annotations: { 'prometheus.io/path': endpoint!.path, 'prometheus.io/port': String(port!.containerPort) },
      });
    }
    expect(metricsRoute(new Registry()).path).toBe(endpoint!.path);
  });

  test('the example Secret is kept out of `kubectl apply -k`; DEPLOY.md covers it and the optional PodMonitoring', () => {
    const base = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(base.resources.some((r) => r.includes('secret'))).toBe(false);
    const deploy = readFileSync('docs/DEPLOY.md', 'utf8');
    expect(deploy).toContain('create secret generic demo-vm');
    expect(deploy).toContain('components/pod-monitoring');
    for (const d of deployments) expect(deploy).toContain(d.metadata.name);
  });
});
