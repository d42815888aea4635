import { App, SocketModeReceiver, LogLevel, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import {
  ErrorCode,
  WebClient,
  retryPolicies,
  type ChatPostEphemeralArguments,
  type ChatPostEphemeralResponse,
  type ChatPostMessageArguments,
  type ChatPostMessageResponse,
  type RetryOptions,
  type WebAPIRateLimitedError,
} from '@slack/web-api';
import type { Logger } from './log.ts';
import type { ReplayCache } from './request-replays.ts';
import { SlackReceiver } from './slack-receiver.ts';

/** The bot's identity, learned once at start so that no request waits on auth.test before its ack. */
export interface SlackIdentity {
  botUserId: string;
  botId: string;
  teamId: string;
  team: string;
  url: string;
}

/** The tracing headers of a Slack request, for its log lines (customProperties → context.traceHeaders). */
export type TraceHeaders = Record<'x-cloud-trace-context' | 'traceparent', string | string[] | undefined>;

/** A Web API that accepts a call but never answers must not hold a request or a job forever. */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

export interface SlackClientOptions {
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
  retryConfig?: RetryOptions;
  /** Throw a WebAPIRateLimitedError on a 429 instead of waiting it out and retrying. */
  rejectRateLimitedCalls?: boolean;
}

/**
 * A WebClient with our policy: each call bounded by a timeout, retried on 429 (after Retry-After),
 * 5xx and network errors. Right for reads and for updates that say the same twice (chat.update,
 * views.*); posting goes through SlackPoster.
 */
export function createWebClient(opts: SlackClientOptions, log?: Logger): WebClient {
  return new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    timeout: opts.timeoutMs ?? SLACK_CALL_TIMEOUT_MS,
    retryConfig: opts.retryConfig ?? retryPolicies.fiveRetriesInFiveMinutes,
    rejectRateLimitedCalls: opts.rejectRateLimitedCalls ?? false,
    logger: log ? boltLogger(log.child({ component: 'slack-web-api' })) : undefined,
  });
}

const isRateLimited = (err: unknown): err is WebAPIRateLimitedError => (err as { code?: unknown }).code === ErrorCode.RateLimitedError;

/**
 * Posting retries only what Slack guarantees it did not process: a 429, after its Retry-After.
 * chat.postMessage has no idempotency key, so a timeout or a 5xx may have posted, and a blind retry
 * would post twice: those fail the call, and callers that must post exactly once check the channel
 * first (postOnce) and let their durable job retry.
 */
export class SlackPoster {
  readonly #client: WebClient;
  readonly #maxRateLimitWaits: number;

  /** `client`: one made with rejectRateLimitedCalls and no retries (createPosterClient). */
  constructor(client: WebClient, opts: { maxRateLimitWaits?: number } = {}) {
    this.#client = client;
    this.#maxRateLimitWaits = opts.maxRateLimitWaits ?? 5;
  }

  postMessage(args: ChatPostMessageArguments): Promise<ChatPostMessageResponse> {
    return this.once((client) => client.chat.postMessage(args));
  }

  postEphemeral(args: ChatPostEphemeralArguments): Promise<ChatPostEphemeralResponse> {
    return this.once((client) => client.chat.postEphemeral(args));
  }

  /** Any call that posts (a file shared into a channel, say), with the same rule. */
  async once<T>(call: (client: WebClient) => Promise<T>): Promise<T> {
    for (let waits = 0; ; waits++) {
      try {
        return await call(this.#client);
      } catch (err) {
        if (!isRateLimited(err) || waits >= this.#maxRateLimitWaits) throw err;
        await new Promise((r) => setTimeout(r, Math.max(err.retryAfter, 1) * 1000));
      }
    }
  }
}

/** The client a SlackPoster posts with: a 429 comes back as a typed error, nothing is retried blindly. */
export function createPosterClient(opts: Omit<SlackClientOptions, 'retryConfig' | 'rejectRateLimitedCalls'>, log?: Logger): WebClient {
  return createWebClient({ ...opts, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true }, log);
}

export class SlackIdentityError extends Error {}

export async function resolveIdentity(client: WebClient, apiUrl?: string): Promise<SlackIdentity> {
  try {
    const res = await client.auth.test();
    if (!res.user_id || !res.bot_id || !res.team_id) throw new Error('auth.test did not return a bot identity (is SLACK_BOT_TOKEN a bot token?)');
    return { botUserId: res.user_id, botId: res.bot_id, teamId: res.team_id, team: res.team ?? '', url: res.url ?? '' };
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    const hint =
      code === 'invalid_auth' || code === 'not_authed' || code === 'token_revoked'
        ? 'SLACK_BOT_TOKEN was refused: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions and reinstall the app if it was revoked.'
        : `could not reach the Slack Web API at ${apiUrl ?? 'https://slack.com/api/'} (${(err as Error).message}).`;
    throw new SlackIdentityError(`Slack auth.test failed: ${hint}`, { cause: err });
  }
}

export interface BoltOptions {
  mode: 'http' | 'socket' | 'local';
  token: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  identity: SlackIdentity;
  log: Logger;
  customRoutes: CustomRoute[];
  /** Socket Mode serves the custom routes (health, metrics) on this port. */
  httpPort: number;
  /** Signatures already accepted (HTTP mode). */
  replays: ReplayCache;
}

export interface BoltApp {
  app: App;
  receiver: SlackReceiver | SocketModeReceiver;
  client: WebClient;
}

export function createBoltApp(opts: BoltOptions): BoltApp {
  const logger = boltLogger(opts.log.child({ component: 'bolt' }));
  const receiver =
    opts.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: opts.appToken!,
          logger,
          customRoutes: opts.customRoutes,
          installerOptions: { port: opts.httpPort },
        })
      : new SlackReceiver({
          signingSecret: opts.signingSecret,
          endpoint: '/slack/events',
          routes: opts.customRoutes,
          replays: opts.replays,
          log: opts.log,
          boltLogger: logger,
          unhandledRequestTimeoutMillis: 2_500,
          // Read by the request middleware (platform/request-middleware.ts): the trace header, if any.
          customProperties: (req) => ({
            traceHeaders: { 'x-cloud-trace-context': req.headers['x-cloud-trace-context'], traceparent: req.headers['traceparent'] } satisfies TraceHeaders,
          }),
        });
  const app = new App({
    token: opts.token,
    botId: opts.identity.botId,
    botUserId: opts.identity.botUserId,
    // We ran auth.test ourselves at start; Bolt must never call it on the request path.
    tokenVerificationEnabled: false,
    receiver,
    logger,
    convoStore: false,
    extendedErrorHandler: true,
    clientOptions: { slackApiUrl: opts.apiUrl, timeout: SLACK_CALL_TIMEOUT_MS, retryConfig: retryPolicies.fiveRetriesInFiveMinutes },
  });
  return { app, receiver, client: app.client };
}

/** Bolt and the WebClient log through pino, so redaction applies to them too. */
function boltLogger(log: Logger): BoltLogger {
  // pino's level is the one that counts; web-api asks for it before building its (costly) debug lines.
  const level = (): LogLevel =>
    log.isLevelEnabled('debug') ? LogLevel.DEBUG : log.isLevelEnabled('info') ? LogLevel.INFO : log.isLevelEnabled('warn') ? LogLevel.WARN : LogLevel.ERROR;
  return {
    debug: (...msg: unknown[]) => log.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => log.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => log.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => log.error(msg.map(String).join(' ')),
    setLevel: () => {},
    getLevel: level,
    setName: () => {},
  };
}
