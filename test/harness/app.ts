import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { startApp, type RunningApp } from '../../src/app.ts';
import { syncCatalog } from '../../src/catalog/service.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { ManualClock, systemClock, type Clock } from '../../src/platform/clock.ts';
import { FakeBillingCatalog } from '../../sim/billing/index.ts';
import { FakeCloudBuild } from '../../sim/cloudbuild/index.ts';
import { unpricedMachineTypes } from '../../src/prices/store.ts';
import { staleZones } from '../../src/machine-types/store.ts';
import { DEFAULT_USERS, FakeSlack } from '../../sim/slack/index.ts';
import { GceSimulator } from '../../sim/gce/index.ts';
import { createLogger } from '../../src/platform/log.ts';
import type { JobTuning } from '../../src/platform/jobs.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { InboundSlack } from './slack-requests.ts';

import { eventually } from './eventually.ts';

export { eventually };

export { ManualClock };

export interface TestAppOptions {
  backend?: 'postgres' | 'pglite';
  env?: Record<string, string>;
  clock?: Clock;
  /** Simulator timings (ms), zero by default; `clock`: the simulator's own (its timestamps), the system clock by default. */
  gce?: { operationMs?: number; bootMs?: number; maxWaitMs?: number; clock?: Clock };
  /** Fake Cloud Build timings (ms): QUEUED → WORKING → SUCCESS; zero by default. */
  cloudBuild?: { queuedMs?: number; workingMs?: number };
  /** Start a second app on the same database/fakes (replicas). */
  seedSamples?: boolean;
  /** Route the app's database connection (e.g. through a TcpProxy). */
  wrapDatabaseUrl?: (url: string) => string;
  /** Job queue tuning beyond the tests' fast polling (e.g. listenNotify: false). */
  jobTuning?: Partial<JobTuning>;
  dbConnectAttempts?: number;
  /** Where demo apps answer: the simulator's VM pages (default), or GCE's rules (external IP, probe refusals). */
  appReach?: 'simulator' | 'gce';
}

export interface TestApp {
  app: RunningApp;
  config: Config;
  /** The environment the app was configured from (child processes reuse it). */
  env: Record<string, string>;
  fake: FakeSlack;
  sim: GceSimulator;
  /** Fake Cloud Build + Cloud Storage (exports), buckets demo-vm-exports (US) and demo-vm-exports-eu. */
  cloudBuild: FakeCloudBuild;
  /** Fake Cloud Billing Catalog (list prices), serving sim/billing's sample SKUs. */
  billing: FakeBillingCatalog;
  slack: InboundSlack;
  db: RunningApp['ctx']['db'];
  database?: TestDatabase;
  logs: string[];
  /** Stop the app only (the fakes and database stay, for a restart). */
  stopApp(): Promise<void>;
  /** Start the app again on the same database and fakes. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The fake's default people, plus a few more so each test can act as a user of its own. */
export const TEST_USERS = [
  ...DEFAULT_USERS,
  ...['CAROL', 'DAVE', 'ERIN', 'FRANK', 'GRACE', 'HEIDI'].map((n) => ({
    id: `U_${n}`,
    name: n.toLowerCase(),
    real_name: `${n[0]}${n.slice(1).toLowerCase()} Tester`,
    tz: 'Europe/Paris',
    title: 'Sales Engineer',
  })),
];

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEST_JOB_TUNING = { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, heartbeatSeconds: 10, superviseIntervalSeconds: 1 };

/**
 * The real app (Bolt HTTP receiver, pg-boss, the real compute client) against the fake Slack, the GCE
 * simulator and a database of its own. Logs are captured for assertions (and secret checks).
 */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const fake = new FakeSlack({ users: TEST_USERS });
  const { apiUrl } = await fake.listen(0, '127.0.0.1');
  const sim = new GceSimulator({
    project: 'demo-test-project',
    operationMs: opts.gce?.operationMs ?? 0,
    bootMs: opts.gce?.bootMs ?? 0,
    maxWaitMs: opts.gce?.maxWaitMs,
    now: opts.gce?.clock && (() => opts.gce!.clock!.now()),
  });
  if (opts.seedSamples !== false) sim.seedSampleImages();
  const { url: gceUrl } = await sim.listen(0, '127.0.0.1');
  const cloudBuild = new FakeCloudBuild({ ...opts.cloudBuild, sourceImageExists: (_p, name) => sim.image(name)?.status === 'READY' });
  cloudBuild.gcs.addBucket('demo-vm-exports', 'US');
  cloudBuild.gcs.addBucket('demo-vm-exports-eu', 'EUROPE-WEST1');
  const { url: cloudBuildUrl } = await cloudBuild.listen(0, '127.0.0.1');
  const billing = new FakeBillingCatalog();
  const { url: billingUrl } = await billing.listen(0, '127.0.0.1');
  const backend = opts.backend ?? 'postgres';
  const database = backend === 'postgres' ? await createTestDatabase() : undefined;
  const dataDir = backend === 'pglite' ? `/tmp/demo-vm-test-${randomBytes(4).toString('hex')}` : undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    SLACK_BOT_TOKEN: fake.identity.token,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    GCP_PROJECT: 'demo-test-project',
    GCE_API_ENDPOINT: gceUrl,
    ADMIN_USER_IDS: 'U_ADMIN',
    // The fake workspace's channels and approver group, as local mode uses them.
    SHARE_APPROVALS_CHANNEL: 'C_APPROVALS',
    CATALOG_CHANNEL: 'C_DEMOS',
    APPROVER_USERGROUP: 'S_APPROVERS',
    CLOUD_BUILD_API_ENDPOINT: cloudBuildUrl,
    STORAGE_API_ENDPOINT: cloudBuildUrl,
    BILLING_API_ENDPOINT: billingUrl,
    EXPORT_BUCKET: 'demo-vm-exports',
    EXPORT_BUCKETS: 'demo-vm-exports,demo-vm-exports-eu',
    EXPORT_POLL_MS: '100',
    ...(process.env.DEMO_VM_CONTRACT_LOG ? { DEMO_VM_CONTRACT_LOG: process.env.DEMO_VM_CONTRACT_LOG } : {}),
    ...(database ? { DATABASE_URL: opts.wrapDatabaseUrl ? opts.wrapDatabaseUrl(database.url) : database.url } : { DATA_DIR: dataDir! }),
    ...opts.env,
  };
  const config = loadConfig(env);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const log = createLogger({ level: config.logLevel, destination, secrets: [TEST_SIGNING_SECRET, fake.identity.token] });
  const clock = opts.clock ?? systemClock;
  const boot = () =>
    startApp({
      config,
      log,
      clock,
      jobTuning: { ...TEST_JOB_TUNING, ...opts.jobTuning },
      scheduler: false,
      dbConnectAttempts: opts.dbConnectAttempts,
      appReach: opts.appReach === 'gce' ? undefined : sim.appReach,
    });
  let app = await boot();
  // The catalog is synced at start in the background; tests start from a synced catalog.
  await syncCatalog(app.worker!);
  // Machine types and their prices are read at start in the background too; tests start from both.
  const { project, zones } = config.gce;
  await eventually(
    async () => !(await staleZones(app.ctx.db, project, zones, new Date(0))).length && !(await unpricedMachineTypes(app.ctx.db, project, zones)).length,
  );
  const t: TestApp = {
    app,
    config,
    env,
    fake,
    sim,
    cloudBuild,
    billing,
    slack: new InboundSlack(fake, `${app.url}/slack/events`, TEST_SIGNING_SECRET),
    db: app.ctx.db,
    database,
    logs,
    stopApp: () => app.stop(),
    restart: async () => {
      await app.stop();
      app = await boot();
      t.app = app;
      t.db = app.ctx.db;
      t.slack = new InboundSlack(fake, `${app.url}/slack/events`, TEST_SIGNING_SECRET);
    },
    close: async () => {
      await app.stop();
      await sim.close();
      await cloudBuild.close();
      await billing.close();
      await fake.close();
      await database?.drop();
    },
  };
  return t;
}
