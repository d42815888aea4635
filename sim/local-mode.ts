/**
 * `npm start` without credentials: the GCE simulator (with Cloud Build and Storage beside it) when no
 * GCP project is set, the fake Slack and its workspace page when no Slack credentials are, and the app
 * against them. With the embedded database, the simulators' state lives in DATA_DIR beside it
 * (local-state.ts), so a restart continues where the user left off.
 */
import { startApp, type RunningApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/platform/log.ts';
import { FakeBillingCatalog } from './billing/index.ts';
import type { FakeCloudBuild } from './cloudbuild/index.ts';
import { startLocalCloudBuild } from './cloudbuild/local.ts';
import { GceSimulator, profileFromEnv } from './gce/index.ts';
import { LocalStateKeeper, openLocalState, type LocalSnapshot } from './local-state.ts';
import type { FakeSlack } from './slack/index.ts';
import { startLocal } from './workspace/start.ts';

export interface LocalMode {
  app: RunningApp;
  config: Config;
  simulator?: GceSimulator;
  fake?: FakeSlack;
  /** Lines for the banner (what was restored or reset). */
  notes: string[];
  /** After app.stop(): save the simulators' state, then close them. */
  close(): Promise<void>;
}

/**
 * The simulator's timings: a VM takes a few seconds to boot (tests pass shorter ones). With
 * GCE_SIM_PROFILE=realistic the modelled steps (boot, app start, stop, suspend, resume, machine
 * images) take what they take on GCE instead (sim/gce/timing.ts); operationMs stays for the rest.
 */
const TIMING = { operationMs: 1500, bootMs: 4000 };

export async function startLocalMode(opts: { config: Config; log: Logger; timing?: { operationMs: number; bootMs: number } }): Promise<LocalMode> {
  let { config } = opts;
  const { log } = opts;
  const dataDir = config.database.kind === 'pglite' ? config.database.dataDir : null;
  const opened = dataDir ? await openLocalState(dataDir) : { note: '', saved: undefined };
  const saved: LocalSnapshot | undefined = opened.saved;
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => log.warn({ err }, 'error while stopping a local fake'));
  };

  try {
    let simulator: GceSimulator | undefined;
    let cloudBuild: FakeCloudBuild | undefined;
    if (config.gce.mode === 'simulator') {
      simulator = new GceSimulator({
        project: config.gce.project,
        zones: config.gce.zones,
        machineTypes: config.gce.machineTypes,
        ...(opts.timing ?? TIMING),
        profile: profileFromEnv(process.env.GCE_SIM_PROFILE),
      });
      if (saved?.gce) simulator.restore(saved.gce);
      else simulator.seedSampleImages();
      const { url } = await simulator.listen(0, '127.0.0.1');
      config = { ...config, gce: { ...config.gce, apiEndpoint: url } };
      closers.push(() => simulator!.close());
      // Exports: a local Cloud Build and Cloud Storage beside the simulator, with a bucket to export to.
      const buckets = config.exports.buckets.length ? config.exports.buckets : ['demo-vm-local-exports'];
      cloudBuild = await startLocalCloudBuild(simulator, buckets, saved?.cloudBuild);
      config = {
        ...config,
        exports: {
          ...config.exports,
          buckets,
          defaultBucket: config.exports.defaultBucket ?? buckets[0],
          cloudBuildEndpoint: cloudBuild.url,
          storageEndpoint: cloudBuild.url,
        },
      };
      closers.push(() => cloudBuild!.close());
      // List prices: a local Cloud Billing Catalog with the sample machine types' SKUs.
      const billing = new FakeBillingCatalog();
      config = { ...config, prices: { billingEndpoint: (await billing.listen(0, '127.0.0.1')).url } };
      closers.push(() => billing.close());
    }

    let app: RunningApp;
    let slack: FakeSlack | undefined;
    if (config.slack.mode === 'local') {
      // The real app against an in-process fake Slack, plus the page that plays Slack for it.
      const local = await startLocal({ config, log, simulator, appReach: simulator?.appReach, slackState: saved?.slack });
      closers.push(() => local.fake.close());
      ({ app, config } = local);
      slack = local.fake;
    } else {
      app = await startApp({ config, log, appReach: simulator?.appReach });
    }
    if (dataDir) {
      const keeper = new LocalStateKeeper(dataDir, { gce: simulator, slack, cloudBuild }, log);
      closers.push(() => keeper.close()); // runs first: saves before the fakes close
    }
    return { app, config, simulator, fake: slack, notes: opened.note ? [opened.note] : [], close };
  } catch (err) {
    await close();
    throw err;
  }
}
