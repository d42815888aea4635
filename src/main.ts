import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError, describeConfig, type Config } from './config.ts';
import { startApp, type RunningApp } from './app.ts';
import { createLogger } from './platform/log.ts';
import { armCrashPoints } from './platform/crash.ts';
import { FakeSlack } from './platform/fake-slack/index.ts';
import { GceSimulator } from './platform/gce-simulator/index.ts';

/**
 * Start: config → (local mode: in-process fake Slack and GCE simulator) → app. Stops gracefully on
 * SIGTERM/SIGINT: no new requests, running job steps reach a safe point, the database closes.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nSee README.md, "Configuration", for every variable.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger({
    level: config.logLevel,
    pretty: config.env === 'development' && process.stdout.isTTY,
    secrets: [config.slack.botToken, config.slack.signingSecret, config.slack.appToken].filter((s): s is string => !!s),
  });
  armCrashPoints(config.crashAt);

  const stops: Array<() => Promise<void>> = [];
  let simulator: GceSimulator | undefined;
  if (config.gce.mode === 'simulator') {
    simulator = new GceSimulator({ project: config.gce.project, zones: config.gce.zones, machineTypes: config.gce.machineTypes, operationMs: 1500, bootMs: 4000 });
    simulator.seedSampleImages();
    const { url } = await simulator.listen(0, '127.0.0.1');
    config = { ...config, gce: { ...config.gce, apiEndpoint: url } };
    stops.push(() => simulator!.close());
  } else if (config.slack.mode === 'local' && config.gce.mode === 'gce' && !config.allowLocalWorkspaceWithRealGcp) {
    process.stderr.write(
      'Refusing to start the local workspace (no login) against the real GCP project ' +
        `${config.gce.project}. Set ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP=true to do it anyway, or configure Slack.\n`,
    );
    process.exit(78);
  }

  let fakeSlack: FakeSlack | undefined;
  if (config.slack.mode === 'local') {
    fakeSlack = new FakeSlack();
    const { apiUrl } = await fakeSlack.listen(0, '127.0.0.1');
    config = {
      ...config,
      slack: { ...config.slack, botToken: fakeSlack.identity.token, signingSecret: randomBytes(24).toString('hex'), apiUrl },
      adminUserIds: config.adminUserIds.length ? config.adminUserIds : ['U_ADMIN'],
    };
    stops.push(() => fakeSlack!.close());
  }

  let app: RunningApp;
  try {
    app = await startApp({ config, log });
  } catch (err) {
    log.fatal({ err }, `could not start: ${(err as Error).message}`);
    await Promise.allSettled(stops.map((s) => s()));
    process.exit(1);
  }
  log.info(describeConfig(config), 'demo-vm is running');
  printBanner(config, app);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing running job steps, then closing the database');
    await app.stop();
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function printBanner(config: Config, app: RunningApp): void {
  const lines = [''];
  if (config.slack.mode === 'local') {
    lines.push(`  Local workspace (not Slack, no login): ${app.url ?? ''}/`);
    lines.push('  No Slack credentials were given; to connect a real workspace see README.md, "Connect Slack".');
  } else if (config.slack.mode === 'socket') {
    lines.push('  Connected to Slack in Socket Mode.');
  } else {
    lines.push(`  Slack requests: ${app.url ?? ''}/slack/events (point the app manifest's URLs here)`);
  }
  lines.push(config.gce.mode === 'simulator' ? `  GCE: built-in simulator (project ${config.gce.project}, sample images seeded)` : `  GCE: project ${config.gce.project}${config.gce.mode === 'emulator' ? ` via ${config.gce.apiEndpoint}` : ''}`);
  lines.push(config.database.kind === 'pglite' ? `  Database: embedded PGlite in ${config.database.dataDir}` : '  Database: PostgreSQL (DATABASE_URL)');
  lines.push('');
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
