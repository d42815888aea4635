import type { WebClient } from '@slack/web-api';
import type { Transaction } from 'kysely';
import type { Config } from './config.ts';
import type { AppReach } from './platform/app-reach.ts';
import type { Clock } from './platform/clock.ts';
import type { Compute } from './platform/compute/port.ts';
import type { Monitoring } from './platform/monitoring/port.ts';
import type { Database } from './platform/db-schema.ts';
import type { Db } from './platform/db.ts';
import type { EventBus } from './platform/events.ts';
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
  /** What changed, for capabilities that only react (one bus per process, shared by both roles). */
  events: EventBus<AppEvents>;
  /** Where a demo VM's app is reached, and what the readiness probe may fetch (GCE, or the simulator's ports). */
  appReach: AppReach;
}

/** The events on ctx.events: a capability says what changed; the Home tab, comments… react. */
export interface AppEvents {
  /** A user's demos changed (state, lease, owner). */
  'demos-changed': { userId: string };
  /** A user's saved images changed (saved, deleted, shared, handed over). */
  'images-changed': { userId: string };
  /** An admin changed the fleet (the launch pause, a forced stop); userId is that admin. */
  'fleet-changed': { userId: string };
  /** An admin published an image to the catalog; listeners send their jobs in the same transaction. */
  'image-published': { imageId: string; trx: Transaction<Database> };
  /** The worker read the allowed zones' machine types again (prices re-price them: sizes decide prices). */
  'machine-types-refreshed': { project: string };
  /** A saved image changed owner; listeners act in the same transaction (sharing withdraws a pending request). */
  'image-handed-over': { imageId: string; actorId: string; trx: Transaction<Database> };
}

/** The worker role's context: the app's, plus the Compute port (jobs and schedules talk to GCE). */
export interface WorkerContext extends AppContext {
  compute: Compute;
  monitoring: Monitoring;
}
