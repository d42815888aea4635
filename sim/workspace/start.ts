import { randomBytes } from 'node:crypto';
import { startApp, type RunningApp, type StartOptions } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { FakeSlack, type SlackSnapshot } from '../slack/index.ts';
import type { Logger } from '../../src/platform/log.ts';
import { localWorkspaceRefusal } from '../../src/local-safety.ts';
import { LocalWorkspaceServer } from './server.ts';
import type { SimulatedGce } from './snapshot.ts';

export interface LocalStartOptions extends Pick<StartOptions, 'clock' | 'jobTuning' | 'scheduler' | 'compute' | 'appReach'> {
  /** Configuration with no Slack credentials (slack.mode 'local'). */
  config: Config;
  log: Logger;
  /** The GCE simulator config.gce.apiEndpoint points at, if any: the page shows what it holds. */
  simulator?: SimulatedGce;
  /** What the fake Slack held when local mode last stopped (local-state.ts). */
  slackState?: SlackSnapshot;
}

export interface LocalWorkspace {
  /** The running app; its stop() also ends the page's open event streams. */
  app: RunningApp;
  /** The configuration the app runs with (the fake Slack's token and API URL, a fresh signing secret). */
  config: Config;
  fake: FakeSlack;
  /** The page: http://127.0.0.1:PORT/ by default. */
  url: string;
  /** Stop the app, then the fake Slack (not the simulator: the caller owns it). */
  stop(): Promise<void>;
}

/** The configuration refuses a local workspace (see safety.ts). */
export class LocalWorkspaceRefused extends Error {}

/**
 * `npm start` without Slack credentials: the real app, talking to an in-process fake Slack, with a
 * browser page that plays Slack for it (served from the app's own HTTP server).
 */
export async function startLocal(opts: LocalStartOptions): Promise<LocalWorkspace> {
  const refusal = localWorkspaceRefusal(opts.config);
  if (refusal) throw new LocalWorkspaceRefused(refusal);
  if (opts.config.slack.mode !== 'local') throw new Error('startLocal is for local mode (no Slack credentials configured)');

  const fake = new FakeSlack();
  if (opts.slackState) fake.workspace.restore(opts.slackState);
  const { apiUrl } = await fake.listen(0, '127.0.0.1');
  const signingSecret = randomBytes(24).toString('hex');
  const config: Config = Object.freeze({
    ...opts.config,
    slack: { ...opts.config.slack, botToken: fake.identity.token, signingSecret, apiUrl },
    adminUserIds: opts.config.adminUserIds.length ? opts.config.adminUserIds : ['U_ADMIN'],
  });
  const page = new LocalWorkspaceServer({ fake, sim: opts.simulator, config, signingSecret, log: opts.log.child({ component: 'local-workspace' }) });

  let app: RunningApp;
  try {
    app = await startApp({
      config,
      log: opts.log,
      extraRoutes: page.routes(),
      clock: opts.clock,
      jobTuning: opts.jobTuning,
      scheduler: opts.scheduler,
      compute: opts.compute,
      appReach: opts.appReach,
    });
  } catch (err) {
    page.close();
    await fake.close();
    throw err;
  }
  page.attach(`${reachable(app.url!)}/slack/events`);
  const stopApp = app.stop;
  const wrapped: RunningApp = {
    ...app,
    stop: async () => {
      page.close();
      await stopApp();
    },
  };
  return {
    app: wrapped,
    config,
    fake,
    url: `${app.url}/`,
    stop: async () => {
      await wrapped.stop();
      await fake.close();
    },
  };
}

/** The receiver as this process reaches it: a wildcard bind address is reached via loopback. */
function reachable(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}
