import type { WebClient } from '@slack/web-api';
import type { Config } from './config.ts';
import type { Clock } from './platform/clock.ts';
import type { Compute } from './platform/compute/port.ts';
import type { Db } from './platform/db.ts';
import type { JobQueue } from './platform/jobs.ts';
import type { Logger } from './platform/log.ts';
import type { SlackIdentity, SlackPoster } from './platform/slack.ts';
import type { Actor } from './policy.ts';

/**
 * What every capability is handed by the composition root (app.ts), in either role. It holds no
 * Google client: the web role never loads one, so what it shows from Google comes from the database.
 */
export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  /** The bot's Web API client for reads and updates (retries what is safe to repeat). */
  slack: WebClient;
  /** Posting messages: retried only after a 429 (chat.postMessage has no idempotency key). */
  poster: SlackPoster;
  identity: SlackIdentity;
  log: Logger;
  /** Unique per process: who claimed a scheduled period. */
  instanceId: string;
  /** Who a user is to the policy (admin, approver); composed in app.ts, approvers are sharing's. */
  actor(userId: string): Promise<Actor>;
}

/** The worker role's context: the app's, plus the Compute port (jobs and schedules talk to GCE). */
export interface WorkerContext extends AppContext {
  compute: Compute;
}
