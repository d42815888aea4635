import { App, HTTPReceiver, SocketModeReceiver, LogLevel, type BufferedIncomingMessage, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient, retryPolicies, type RetryOptions } from '@slack/web-api';
import { RAW_BODY, type RawBody } from './ack-priority.ts';
import { boundedFetch, SLACK_CALL_TIMEOUT_MS } from './bounded-fetch.ts';
import type { Logger } from './log.ts';

/** The bot's identity, learned once at start so that no request waits on auth.test before its ack. */
export interface SlackIdentity {
  botUserId: string;
  botId: string;
  teamId: string;
  team: string;
  url: string;
}

export interface SlackClientOptions {
  token: string;
  apiUrl?: string;
  /** Per-call timeout: a Web API that accepts but never answers must not hold a job forever. */
  timeoutMs?: number;
  retryConfig?: RetryOptions;
}

type BodySerializer = (this: WebClient, data: Record<string, unknown>) => { serializedBody: unknown; contentHeaders: Record<string, string> };
// Private in web-api's types, but what makeRequest calls for every body: checked here so that an
// upgrade that renames it fails at start, not silently.
const formEncode = (WebClient.prototype as unknown as { serializeBody?: BodySerializer }).serializeBody;
if (typeof formEncode !== 'function') throw new Error('@slack/web-api no longer has WebClient.serializeBody: review JsonBodyWebClient');
const BLOCK_KIT_FIELDS = ['view', 'blocks', 'attachments'];

/**
 * Calls carrying Block Kit go as JSON. @slack/web-api form-encodes every body, so a modal's JSON was
 * percent-encoded character by character: a quarter of what opening the catalog allocated, and about
 * three times the bytes. The methods that take Block Kit (views.*, chat.*) list application/json
 * among their accepted content types; the token goes in the Authorization header either way (web-api
 * always sets it), so none is left in the body.
 */
class JsonBodyWebClient extends WebClient {}
Object.defineProperty(JsonBodyWebClient.prototype, 'serializeBody', {
  value: function (this: WebClient, data: Record<string, unknown>) {
    if (!BLOCK_KIT_FIELDS.some((f) => data[f] !== undefined)) return formEncode.call(this, data);
    const { token: _token, ...body } = data;
    return { serializedBody: JSON.stringify(body), contentHeaders: { 'Content-Type': 'application/json; charset=utf-8' } };
  } satisfies BodySerializer,
});

/**
 * A WebClient with our policy: retries on 429 (after Retry-After) and on 5xx/network errors — except
 * for posting. chat.postMessage has no idempotency key: a timed-out post may have landed, and a blind
 * retry would post it twice. Posts retry only after a 429 (refused, so surely not posted); callers that
 * must post exactly once check the channel first (postOnce) and let their durable job retry.
 */
export function createWebClient(opts: SlackClientOptions, log?: Logger): WebClient {
  const make = (retryConfig: RetryOptions) =>
    new JsonBodyWebClient(opts.token, {
      slackApiUrl: opts.apiUrl,
      timeout: 0, // bounded by the fetch instead (bounded-fetch.ts says why)
      fetch: boundedFetch(opts.timeoutMs ?? SLACK_CALL_TIMEOUT_MS),
      retryConfig,
      rejectRateLimitedCalls: false,
      logger: log ? boltLogger(log.child({ component: 'slack-web-api' })) : undefined,
    });
  const policy = opts.retryConfig ?? retryPolicies.fiveRetriesInFiveMinutes;
  const client = make(policy);
  const poster = make({
    ...policy,
    onFailedAttempt: (err: Error) => {
      // The WebClient signals "waited out a 429, try again" with this message; anything else stops.
      if (!/rate limit was exceeded/i.test(err.message)) throw err;
    },
  } as RetryOptions);
  client.chat.postMessage = poster.chat.postMessage;
  client.chat.postEphemeral = poster.chat.postEphemeral;
  return client;
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
}

export interface BoltApp {
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
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
      : new HTTPReceiver({
          signingSecret: opts.signingSecret,
          endpoints: '/slack/events',
          customRoutes: opts.customRoutes,
          logger,
          // Ack as soon as a listener calls ack(); the rest of the listener runs after the response.
          processBeforeResponse: false,
          unhandledRequestTimeoutMillis: 2_500,
          // The raw body, for requests acked on arrival to wait with (src/platform/ack-priority.ts).
          customPropertiesExtractor: (req) => ({ [RAW_BODY]: { bytes: (req as BufferedIncomingMessage).rawBody, contentType: req.headers['content-type'] } satisfies RawBody }),
          processEventErrorHandler: async ({ error, response, logger: l }) => {
            if (response.headersSent) return false; // a listener failed after its ack: app.error has it
            // Our listeners ack before any work, so a failure before the ack is Bolt choking on a
            // payload Slack would never send (a signed but malformed body): a client error.
            const status = (error as { code?: string }).code === 'slack_bolt_authorization_error' ? 401 : error instanceof TypeError ? 400 : 500;
            if (status === 500) l.error(`request failed before ack: ${error.message}`);
            else opts.log.warn({ status, reason: error.message }, 'refused a malformed Slack request');
            response.writeHead(status);
            response.end();
            return status !== 500;
          },
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
    clientOptions: {
      slackApiUrl: opts.apiUrl,
      // Bounded by the fetch (bounded-fetch.ts says why), which respond() uses too.
      timeout: 0,
      fetch: boundedFetch(SLACK_CALL_TIMEOUT_MS),
      retryConfig: retryPolicies.fiveRetriesInFiveMinutes,
      rejectRateLimitedCalls: false,
    },
  });
  return { app, receiver, client: app.client };
}

/** Bolt and the WebClient log through pino, so redaction applies to them too. */
function boltLogger(log: Logger): BoltLogger {
  // pino's level is the one that counts; web-api asks for it before building its (costly) debug lines.
  const level = (): LogLevel => (log.isLevelEnabled('debug') ? LogLevel.DEBUG : log.isLevelEnabled('info') ? LogLevel.INFO : log.isLevelEnabled('warn') ? LogLevel.WARN : LogLevel.ERROR);
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
