/**
 * One simulated week's world in this process: the fake Slack (the 200 people), the GCE simulator on
 * its realistic profile with the Cloud Monitoring fake beside it, the fake Billing Catalog (prices),
 * a fresh PostgreSQL database, and the real app (ROLE=all, as local mode and the pool bench run it)
 * on a driven clock: every timer of the simulator and every sleep of the app is on one SimTime.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type RunningApp } from '../../src/app.ts';
import { syncCatalog } from '../../src/catalog/service.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { unpricedMachineTypes } from '../../src/prices/store.ts';
import { FakeBillingCatalog } from '../../sim/billing/index.ts';
import { GceSimulator } from '../../sim/gce/index.ts';
import { SimTime } from '../../sim/gce/timing.ts';
import { DEFAULT_USERS, FakeSlack } from '../../sim/slack/index.ts';
import { createTestDatabase } from '../../test/harness/postgres.ts';
import { InboundSlack } from '../../test/harness/slack-requests.ts';
import { seeded } from '../../sim/seeded-random.ts';
import type { SimUser } from './population.ts';
import { VirtualClock } from './virtual-clock.ts';

export const PROJECT = 'demo-sim-project';
const SIGNING_SECRET = 'simulate-week-signing-secret-0123456789';

export interface World {
  time: SimTime;
  clock: VirtualClock;
  fake: FakeSlack;
  sim: GceSimulator;
  app: RunningApp;
  slack: InboundSlack;
  errors: string[];
  close(): Promise<void>;
}

export async function startWorld(o: { seed: number; users: SimUser[]; start: Date }): Promise<World> {
  const time = new SimTime(o.start);
  const clock = new VirtualClock(time);
  const people = o.users.map((u) => ({ id: u.id, name: u.id.toLowerCase(), real_name: `SE ${u.id.slice(4)}`, tz: u.timeZone, title: 'Sales Engineer' }));
  const fake = new FakeSlack({ users: [...DEFAULT_USERS, ...people] });
  fake.rateLimit(null);
  await fake.listen(0, '127.0.0.1');
  const sim = new GceSimulator({
    project: PROJECT,
    profile: 'realistic',
    random: seeded(o.seed + 1),
    now: time.now,
    scheduler: time,
    monitoring: { seed: o.seed },
  });
  sim.seedSampleImages();
  await sim.listen(0, '127.0.0.1');
  const billing = new FakeBillingCatalog();
  const { url: billingUrl } = await billing.listen(0, '127.0.0.1');
  // PostgreSQL by default; SIM_DB=pglite runs the embedded database (DATA_DIR) to compare.
  const pglite = process.env.SIM_DB === 'pglite';
  const database = pglite ? null : await createTestDatabase({ empty: true });
  const dataDir = pglite ? mkdtempSync(join(tmpdir(), 'demo-vm-week-')) : null;
  const config = loadConfig({
    NODE_ENV: pglite ? 'development' : 'production', // production refuses the embedded database
    LOG_LEVEL: 'warn',
    PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    SLACK_BOT_TOKEN: fake.identity.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir! }),
    GCP_PROJECT: PROJECT,
    GCE_API_ENDPOINT: sim.url,
    BILLING_API_ENDPOINT: billingUrl,
    GCE_ALLOWED_ZONES: 'us-central1-a',
    ADMIN_USER_IDS: 'U_ADMIN',
    READINESS_TIMEOUT_SECONDS: '600',
  });
  const errors: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      if (/"level":(50|60)/.test(String(chunk))) errors.push(String(chunk).slice(0, 400));
      done();
    },
  });
  const app = await startApp({
    config,
    clock,
    scheduler: false,
    appReach: sim.appReach,
    jobTuning: { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, heartbeatSeconds: 30, superviseIntervalSeconds: 5 },
    log: createLogger({ level: 'warn', destination, secrets: [SIGNING_SECRET, fake.identity.token] }),
  });
  await syncCatalog(app.worker!);
  for (let i = 0; ; i++) {
    if (!(await unpricedMachineTypes(app.ctx.db, PROJECT, config.gce.zones)).length) break;
    if (i > 600) throw new Error('prices never loaded from the fake Billing Catalog');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    time,
    clock,
    fake,
    sim,
    app,
    slack: new InboundSlack(fake, `${app.url}/slack/events`, SIGNING_SECRET),
    errors,
    close: async () => {
      await app.stop();
      await sim.close();
      await billing.close();
      await fake.close();
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
