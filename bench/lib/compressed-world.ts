import { Writable } from 'node:stream';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ScaledClock, systemClock, type Clock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/log.ts';
import { FakeBillingCatalog } from '../../sim/billing/index.ts';
import { seeded } from '../../sim/seeded-random.ts';
import { InboundSlack } from '../../test/harness/slack-requests.ts';
import { scaledScheduler } from './fakes.ts';
import { freshDatabase, startFakes } from './env.ts';

/**
 * The app in this process against the realistic GCE simulator, with model time compressed `scale`×
 * (the app's ScaledClock and the simulator's timers agree): the pool and booking benches' world. Two
 * catalog images, one to pool and one to clone, each 10 GB with an app that takes a minute to start.
 */

export const POOLED = 'bench-pooled';
export const UNPOOLED = 'bench-unpooled';
export const APP_PORT = 8080;

function machineImage(name: string, title: string) {
  return {
    name,
    description: `${title}\nA 10 GB demo whose app takes a minute to start.`,
    labels: { 'demo-vm-catalog': 'true', 'app-scheme': 'http', 'app-port': String(APP_PORT), 'app-path': '-', 'app-start-seconds': '60' },
    machineType: 'e2-standard-2',
    totalStorageBytes: 10 * 1024 ** 3,
    sourceInstance: `https://www.googleapis.com/compute/v1/projects/demo-bench-project/zones/us-central1-a/instances/${name}-golden`,
  };
}

export interface WorldOptions {
  scale: number;
  seed: number;
  /** The simulator's ±20% jitter (off: every step takes its figure exactly). */
  jitter: boolean;
  users: number;
  poolMaxVms: number;
  /** Run node-cron (false: the bench ticks the minute tasks itself). */
  scheduler?: boolean;
}

export async function startCompressedWorld(o: WorldOptions) {
  const origin = new Date();
  const clock: Clock = o.scale > 1 ? new ScaledClock(o.scale, origin) : systemClock;
  const f = await startFakes({
    users: o.users,
    sim: { profile: 'realistic', random: o.jitter ? seeded(o.seed + 1) : () => 0.5, now: () => clock.now(), scheduler: scaledScheduler(o.scale) },
  });
  f.sim.addMachineImage(machineImage(POOLED, 'Pooled CRM'));
  f.sim.addMachineImage(machineImage(UNPOOLED, 'Unpooled CRM'));
  const billing = new FakeBillingCatalog();
  const { url: billingUrl } = await billing.listen(0, '127.0.0.1');
  const database = await freshDatabase();
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    SLACK_BOT_TOKEN: f.fake.identity.token,
    SLACK_SIGNING_SECRET: f.signingSecret,
    SLACK_API_URL: f.fake.apiUrl,
    DATABASE_URL: database.url,
    GCP_PROJECT: 'demo-bench-project',
    GCE_API_ENDPOINT: f.sim.url,
    BILLING_API_ENDPOINT: billingUrl,
    GCE_ALLOWED_ZONES: 'us-central1-a',
    GCE_MACHINE_TYPES: 'e2-standard-2',
    ADMIN_USER_IDS: 'U_ADMIN',
    READINESS_TIMEOUT_SECONDS: '300',
    POOL_MAX_VMS: String(o.poolMaxVms),
    DEMO_VM_TIME_SCALE: String(o.scale),
    DEMO_VM_TIME_ORIGIN: origin.toISOString(),
  });
  const errors: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      if (/"level":(50|60)/.test(String(chunk))) errors.push(String(chunk).slice(0, 300));
      done();
    },
  });
  const app = await startApp({
    config,
    clock,
    appReach: f.sim.appReach,
    scheduler: o.scheduler ?? true,
    log: createLogger({ level: 'warn', destination, secrets: [f.signingSecret] }),
  });
  const slack = new InboundSlack(f.fake, `${app.url}/slack/events`, f.signingSecret);
  const close = async () => {
    await app.stop();
    await billing.close();
    await f.close();
    await database.drop();
  };
  return { f, app, slack, clock, errors, close };
}
