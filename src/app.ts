import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, CustomRoute } from '@slack/bolt';
import { sql } from 'kysely';
import { redactUrl, type Config } from './config.ts';
import type { AppContext, WorkerContext } from './context.ts';
import { CommandRouter } from './commands.ts';
import { registerCommandListener } from './command-listener.ts';
import { registerErrorHandler } from './platform/slack-errors.ts';
import { registerEventDedupe } from './platform/event-dedupe.ts';
import { ScaledClock, systemClock, type Clock } from './platform/clock.ts';
import type { Compute } from './platform/compute/port.ts';
import type { Monitoring } from './platform/monitoring/port.ts';
import { fileRequestTap } from './platform/request-log.ts';
import { EventBus } from './platform/events.ts';
import { openPglite, openPostgres, type DbHandle } from './platform/db.ts';
import { JobQueue, DEFAULT_JOB_TUNING, type JobTuning } from './platform/jobs.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { migrateToLatest, migrationsApplied } from './platform/migrations.ts';
import { pruneRunsTask, Scheduler } from './platform/scheduler.ts';
import { createBoltApp, createPosterClient, createWebClient, resolveIdentity, SlackPoster } from './platform/slack.ts';
import { healthRoutes, serveRoutes } from './platform/http-routes.ts';
import { appMetricsRegistry, metricsRoute, usageSecondsTask } from './platform/metrics.ts';
import { instrumentCompute, instrumentSlack } from './platform/call-metrics.ts';
import { requestMiddleware, timeAcks } from './platform/request-middleware.ts';
import { ReplayCache } from './platform/request-replays.ts';
import { cleanSlackInput } from './platform/slack-input.ts';
import { capabilities } from './capabilities.ts';
import { resolveActor } from './sharing/approvers.ts';
import { gceAppReach, type AppReach } from './platform/app-reach.ts';

export interface StartOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** Otherwise built from config (real GCE, an emulator endpoint, or the simulator's URL). */
  compute?: Compute;
  /** Otherwise built from config (Cloud Monitoring, or the simulator's fake beside GCE). */
  monitoring?: Monitoring;
  /** Where demo apps answer; GCE's external IPs (and the probe's refusals) unless the simulator serves them. */
  appReach?: AppReach;
  jobTuning?: JobTuning;
  /** Extra HTTP routes served beside /slack/events (the local workspace mounts its page here). */
  extraRoutes?: CustomRoute[];
  /** Leave node-cron off (tests call tick(now) themselves). */
  scheduler?: boolean;
  /** Tries to reach PostgreSQL at start before giving up (default 10, about a minute). */
  dbConnectAttempts?: number;
}

export interface RunningApp {
  ctx: AppContext;
  /** The worker role's context, with the Compute client (undefined in a web process). */
  worker?: WorkerContext;
  /** Bolt's App (web role; undefined in a worker). */
  bolt?: App;
  /** The /demo subcommands (empty in a worker). */
  router: CommandRouter;
  /** Scheduled tasks (empty in a web process). */
  scheduler: Scheduler;
  /** Base URL of the HTTP server (HTTP and local modes, and a worker's health and metrics). */
  url?: string;
  stop(): Promise<void>;
}

const serves = (config: Config, role: 'web' | 'worker') => config.role === role || config.role === 'all';

/**
 * Composition root: config → database + migrations → job queue → the role's part: the web role
 * answers Slack (Bolt, listeners); the worker runs jobs and schedules with Google's clients, which
 * only it loads. ROLE=all runs both in one process.
 */
export async function startApp(opts: StartOptions): Promise<RunningApp> {
  const { config } = opts;
  const log =
    opts.log ??
    createLogger({
      level: config.logLevel,
      secrets: [config.slack.botToken, config.slack.signingSecret, config.slack.appToken].filter((s): s is string => !!s),
    });
  const clock = opts.clock ?? (config.time.scale > 1 ? new ScaledClock(config.time.scale, config.time.origin) : systemClock);
  const token = config.slack.botToken;
  const signingSecret = config.slack.signingSecret;
  if (!token || !signingSecret) throw new Error('startApp needs a Slack bot token and signing secret (main.ts provides local ones in local mode)');

  const handle = await openDatabase(config, log, opts);
  const cleanups: Array<() => Promise<void>> = [() => handle.close()];
  try {
    const applied = await migrateToLatest(handle.db);
    if (applied.length) log.info({ applied }, 'database migrated');

    const slack = instrumentSlack(createWebClient({ token, apiUrl: config.slack.apiUrl }, log));
    const poster = new SlackPoster(instrumentSlack(createPosterClient({ token, apiUrl: config.slack.apiUrl }, log)));
    const identity = await resolveIdentity(slack, config.slack.apiUrl);

    const jobs = new JobQueue(handle, log.child({ component: 'jobs' }), opts.jobTuning ?? DEFAULT_JOB_TUNING, { works: serves(config, 'worker') });
    await jobs.start();
    cleanups.unshift(() => jobs.stop(config.shutdownGraceSeconds * 1000));
    for (const capability of capabilities) {
      for (const [name, spec] of Object.entries(capability.queues ?? {})) await jobs.declare(name, spec);
    }

    const ctx: AppContext = {
      config,
      db: handle.db,
      clock,
      jobs,
      slack,
      poster,
      identity,
      log,
      instanceId: randomUUID(),
      actor: (userId) => resolveActor(handle.db, config, userId),
      events: new EventBus(),
      appReach: opts.appReach ?? gceAppReach(),
    };
    // Before either role: jobs emit in the worker, listeners in the web role.
    for (const capability of capabilities) capability.subscribe?.(ctx);
    let working = false;
    const routes = [
      ...healthRoutes({
        role: config.role,
        // What this role needs: the database for both; a worker also its job handlers and schedules.
        ready: {
          database: async () => (await sql`select 1`.execute(handle.db), true),
          migrations: () => migrationsApplied(handle.db),
          jobs: async () => jobs.started,
          ...(serves(config, 'worker') ? { workers: async () => working } : {}),
        },
        details: async () => Object.assign({}, ...(await Promise.all(capabilities.map((c) => c.readyDetails?.(ctx))))),
      }),
      metricsRoute(appMetricsRegistry({ db: handle.db, jobs, clock, log })),
      ...(opts.extraRoutes ?? []),
    ];

    const router = new CommandRouter();
    const scheduler = new Scheduler(clock, log.child({ component: 'scheduler' }));
    let worker: WorkerContext | undefined;
    if (serves(config, 'worker')) {
      worker = {
        ...ctx,
        compute: instrumentCompute(opts.compute ?? (await createCompute(config))),
        monitoring: opts.monitoring ?? (await createMonitoring(config)),
      };
      scheduler.add(usageSecondsTask(ctx)); // the cached usage totals /metrics reads
      scheduler.add(pruneRunsTask(ctx));
      for (const capability of capabilities) await capability.worker?.({ ctx: worker, scheduler });
      working = true;
    }

    let bolt: App | undefined;
    let url: string | undefined;
    if (serves(config, 'web')) {
      const { app, receiver } = createBoltApp({
        mode: config.slack.mode,
        token,
        signingSecret,
        appToken: config.slack.appToken,
        apiUrl: config.slack.apiUrl,
        identity,
        log,
        customRoutes: routes,
        httpPort: config.port,
        replays: new ReplayCache(handle.db, log.child({ component: 'replays' })),
      });
      bolt = app;
      registerErrorHandler(bolt, poster, log);
      bolt.use(cleanSlackInput()); // first: every listener and middleware sees clean text
      bolt.use(requestMiddleware(log, config.gce.project)); // before any listener
      registerEventDedupe(bolt, { db: handle.db, clock, log });
      for (const capability of capabilities) await capability.web?.({ ctx, bolt, router });
      registerCommandListener(bolt, router, ctx);
      if (config.slack.mode === 'socket') {
        await bolt.start();
      } else {
        const server = (await bolt.start({ port: config.port, host: config.bindAddress })) as Server;
        timeAcks(server, '/slack/events');
        url = baseUrl(server);
      }
      cleanups.unshift(() => receiver.stop() as Promise<void>);
    } else {
      const server = await serveRoutes(routes, { port: config.port, host: config.bindAddress });
      url = baseUrl(server);
      cleanups.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
    }

    if (worker) {
      if (opts.scheduler !== false) {
        scheduler.start();
        cleanups.unshift(() => scheduler.stop());
      }
      for (const capability of capabilities) {
        if (!capability.afterStart) continue;
        // Not awaited: start-up does not wait on GCE; a failure here is retried by the schedule.
        capability.afterStart(worker).catch((err) => log.warn({ err, capability: capability.name }, 'start-up task failed'));
      }
    }

    let stopped = false;
    return {
      ctx,
      worker,
      bolt,
      router,
      scheduler,
      url,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await runAll(cleanups, log);
      },
    };
  } catch (err) {
    await runAll(cleanups, log);
    throw err;
  }
}

/**
 * Google's Monitoring client library, loaded here and only in the worker role. Without an endpoint of
 * its own it follows GCE's when that is an emulator (`http://…`: the simulator serves Monitoring too).
 */
async function createMonitoring(config: Config): Promise<Monitoring> {
  const { GcmMonitoring } = await import('./platform/monitoring/gcm.ts');
  const gce = config.gce.apiEndpoint?.startsWith('http://') ? config.gce.apiEndpoint : undefined;
  return new GcmMonitoring({ apiEndpoint: config.monitoring.apiEndpoint ?? gce });
}

/** Google's Compute client library, loaded here and only in the worker role. */
async function createCompute(config: Config): Promise<Compute> {
  const { GceCompute } = await import('./platform/compute/gce.ts');
  const onRequest = config.contractLog ? fileRequestTap(config.contractLog) : undefined;
  return new GceCompute({ project: config.gce.project, apiEndpoint: config.gce.apiEndpoint, onRequest });
}

function baseUrl(server: Server): string {
  const addr = server.address() as AddressInfo;
  return `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
}

async function openDatabase(config: Config, log: Logger, opts: { dbConnectAttempts?: number }): Promise<DbHandle> {
  if (config.database.kind === 'pglite') {
    log.info({ dataDir: config.database.dataDir }, 'using the embedded PGlite database');
    return openPglite(config.database.dataDir);
  }
  const handle = openPostgres(config.database.url);
  await waitForDatabase(handle, config.database.url, log, opts.dbConnectAttempts ?? 10);
  return handle;
}

/**
 * PostgreSQL may start after us (a pod restart, a database failover): retry with backoff, saying
 * clearly what is wrong, then give up with an error that names the server (never its password).
 */
async function waitForDatabase(handle: DbHandle, url: string, log: Logger, attempts: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(handle.db);
      return;
    } catch (err) {
      const where = redactUrl(url);
      if (attempt >= attempts) {
        await handle.close().catch(() => {});
        throw new Error(
          `Cannot reach PostgreSQL at ${where} after ${attempts} attempts: ${(err as Error).message}. Check DATABASE_URL and that the server is up.`,
          { cause: err },
        );
      }
      const delayMs = Math.min(500 * 2 ** (attempt - 1), 10_000);
      log.warn({ attempt, delayMs, database: where, reason: (err as Error).message }, 'database not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

async function runAll(cleanups: Array<() => Promise<void>>, log: Logger): Promise<void> {
  for (const fn of cleanups) {
    try {
      await fn();
    } catch (err) {
      log.warn({ err }, 'error while stopping');
    }
  }
}
