import { loadConfig, ConfigError, describeConfig, type Config } from './config.ts';
import { startApp, type RunningApp } from './app.ts';
import { createLogger } from './platform/log.ts';
import { armCrashPoints } from './platform/crash.ts';
import { installSafetyNet } from './platform/request-scope.ts';
import { localWorkspaceRefusal, usesRealGcp } from './local-safety.ts';

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

  const refusal = localWorkspaceRefusal(config);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    process.exit(78); // EX_CONFIG
  }

  if (config.gce.projectFromAdc) {
    const { detectProject } = await import('./platform/compute/project.ts');
    const project = await detectProject();
    if (!project) {
      process.stderr.write(
        'GCP_PROJECT is not set and Application Default Credentials name no project (GOOGLE_CLOUD_PROJECT, the credentials file, gcloud, the metadata server). Set GCP_PROJECT.\n',
      );
      process.exit(78); // EX_CONFIG
    }
    log.info({ project }, 'GCP project from Application Default Credentials');
    config = { ...config, gce: { ...config.gce, project } };
  }

  let app: RunningApp;
  let closeFakes = async () => {};
  const notes: string[] = [];
  try {
    if (config.gce.mode === 'simulator' || config.slack.mode === 'local') {
      // Local-only modules are loaded only when used: a production process never holds them.
      const { startLocalMode } = await import('../sim/local-mode.ts');
      const local = await startLocalMode({ config, log });
      ({ app, config } = local);
      closeFakes = local.close;
      notes.push(...local.notes);
    } else {
      app = await startApp({ config, log });
    }
  } catch (err) {
    log.fatal({ err }, `could not start: ${(err as Error).message}`);
    // The log line is for machines; a person starting the app reads this one.
    process.stderr.write(`\ndemo-vm could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  // From here on an error nobody caught in a request is that request's 500, not the process's end.
  installSafetyNet(log);
  log.info(describeConfig(config), 'demo-vm is running');
  printBanner(config, app, notes);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      if (signal !== 'SIGINT') return;
      // A second Ctrl-C: whoever presses it prefers leaving now; unfinished steps resume at the next start.
      process.stdout.write('Quitting now; unfinished job steps resume at the next start.\n');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'stopping: finishing running job steps, then closing the database');
    process.stdout.write(`${stoppingNote(app.ctx.jobs.runningSteps(), config.shutdownGraceSeconds, signal === 'SIGINT')}\n`);
    await app.stop();
    await closeFakes();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** What a person stopping the app is waiting for, e.g. "waiting for 1 job step: demo-launch 3f1c2d4e". */
function stoppingNote(steps: string[], graceSeconds: number, interactive: boolean): string {
  if (!steps.length) return 'Stopping: no job step is running.';
  const again = interactive ? ' (Ctrl-C again to quit now)' : '';
  return `Stopping: waiting for ${steps.length} job step${steps.length === 1 ? '' : 's'} (at most ${graceSeconds} s): ${steps.join(', ')}${again}`;
}

function printBanner(config: Config, app: RunningApp, notes: string[]): void {
  const lines = [''];
  if (config.slack.mode === 'local') {
    lines.push(`  Local workspace (not Slack, no login): ${app.url ?? ''}/`);
    lines.push('  No Slack credentials were given; to connect a real workspace see README.md, "Connect Slack".');
    if (usesRealGcp(config)) lines.push(`  WARNING: the local workspace has no login and drives the REAL GCP project ${config.gce.project}.`);
  } else if (config.role === 'worker') {
    lines.push(`  Worker: jobs and schedules (no Slack requests here); health and metrics at ${app.url ?? ''}/readyz, /metrics`);
  } else if (config.slack.mode === 'socket') {
    lines.push('  Connected to Slack in Socket Mode.');
  } else {
    lines.push(`  Slack requests: ${app.url ?? ''}/slack/events (point the app manifest's URLs here)`);
  }
  lines.push(
    config.gce.mode === 'simulator'
      ? `  GCE: built-in simulator (project ${config.gce.project}, sample images seeded)`
      : `  GCE: project ${config.gce.project}${config.gce.mode === 'emulator' ? ` via ${config.gce.apiEndpoint}` : ''}`,
  );
  lines.push(config.database.kind === 'pglite' ? `  Database: embedded PGlite in ${config.database.dataDir}` : '  Database: PostgreSQL (DATABASE_URL)');
  for (const note of notes) lines.push(`  ${note}`);
  lines.push('');
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
