import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  AuthorizationError,
  HTTPResponseAck,
  verifySlackRequest,
  type App,
  type CustomRoute,
  type Logger as BoltLogger,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import { sendJson, serveRoute } from './http-routes.ts';
import type { Logger } from './log.ts';
import { SLACK_REQUEST_WINDOW_SEC, type ReplayCache } from './request-replays.ts';
import { inRequest, requestFailure } from './request-scope.ts';

/**
 * The largest Slack request body we read. Slack's own stay far below it: the biggest are a
 * message event (40,000 characters of text plus its rich_text copy, JSON-escaped: a few hundred
 * KB at worst) and a view_submission echoing a full modal, form-encoded (which can triple JSON).
 */
export const SLACK_BODY_LIMIT_BYTES = 1024 * 1024;
/** Slack sends a body at once; a client still trickling one after this is holding memory on purpose. */
export const SLACK_BODY_TIMEOUT_MS = 5_000;
/**
 * Bodies being read at the same time. With the cap this bounds what request bodies can hold in
 * memory (64 × 1 MB) even when someone sends forged signature headers with full-size bodies: past
 * it a request gets 503 at once. Slack's small bodies are read in well under a millisecond, so
 * real traffic never comes near it.
 */
export const MAX_BODIES_IN_FLIGHT = 64;

/** A request refused with an HTTP status before it reached Bolt. */
class Refusal extends Error {
  readonly status: number;
  constructor(status: number, reason: string) {
    super(reason);
    this.status = status;
  }
}

export interface SlackReceiverOptions {
  signingSecret: string;
  /** The Request URL's path, e.g. /slack/events. */
  endpoint: string;
  /** Served beside the endpoint: health, metrics, the local workspace. */
  routes: CustomRoute[];
  replays: ReplayCache;
  log: Logger;
  /** Bolt's logger, for its ack helper. */
  boltLogger: BoltLogger;
  /** A listener that has not acked by then gets Bolt's unhandled-request answer. */
  unhandledRequestTimeoutMillis: number;
  /** Extra context for the listeners (e.g. trace headers), from the request's headers. */
  customProperties?: (req: IncomingMessage) => Record<string, unknown>;
  bodyLimitBytes?: number;
  bodyTimeoutMs?: number;
  maxBodiesInFlight?: number;
}

/**
 * Slack's HTTP front door, a Bolt Receiver (init/start/stop, App#processEvent). It checks what it
 * can before it reads a byte of the body: the declared size, that the signature headers are there
 * and the timestamp is within ±5 minutes. Then it reads the body under a size cap and a time limit,
 * verifies the HMAC (Bolt's verifySlackRequest, timing-safe), refuses replays, and hands Bolt only
 * a JSON object. Refusals are answered with their status and `Connection: close`, unread.
 */
export class SlackReceiver implements Receiver {
  readonly #opts: Required<Omit<SlackReceiverOptions, 'customProperties'>> & Pick<SlackReceiverOptions, 'customProperties'>;
  #app: App | undefined;
  #server: Server | undefined;
  #reading = 0;

  constructor(opts: SlackReceiverOptions) {
    this.#opts = {
      bodyLimitBytes: SLACK_BODY_LIMIT_BYTES,
      bodyTimeoutMs: SLACK_BODY_TIMEOUT_MS,
      maxBodiesInFlight: MAX_BODIES_IN_FLIGHT,
      ...opts,
    };
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(at: { port: number; host: string }): Promise<Server> {
    // Headers must arrive promptly too (the body has its own limit).
    const server = createServer({ headersTimeout: 10_000 }, (req, res) => this.#route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#opts.replays.start();
    return server;
  }

  async stop(): Promise<void> {
    this.#opts.replays.stop();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const pathname = new URL(req.url ?? '/', 'http://any').pathname;
    if (pathname === this.#opts.endpoint && req.method === 'POST') {
      const requestId = randomUUID();
      void inRequest(requestId, res, () => this.#handle(req, res, requestId));
      return;
    }
    if (!serveRoute(this.#opts.routes, req, res)) sendJson(res, 404, { error: 'not found' });
  }

  async #handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    try {
      const { body, rawBody, timestampSec, signature } = await this.#accept(req);
      const retryNum = retryNumber(req);
      // Options for what was typed only read, and typing the same again within a second sends the same
      // bytes (block_suggestion carries no trigger_id or action_ts): never a replay worth refusing.
      const readOnly = body['type'] === 'block_suggestion';
      if (!readOnly && !(await this.#opts.replays.claim(signature, timestampSec, retryNum))) throw new Refusal(401, 'replayed request');
      if (body['ssl_check'] === '1') return void res.writeHead(200).end();
      if (body['type'] === 'url_verification') return sendJson(res, 200, { challenge: body['challenge'] });
      await this.#dispatch({ req, res, body, rawBody, requestId, retryNum });
    } catch (err) {
      if (err instanceof Refusal) {
        this.#opts.log.warn({ requestId, status: err.status, reason: err.message }, 'refused a Slack request');
        refuse(req, res, err.status);
      } else {
        this.#opts.log.error({ err, requestId }, 'Slack request failed before its ack');
        if (!res.headersSent) res.writeHead(500).end();
      }
    }
  }

  /** The checks in order of cost; throws a Refusal. */
  async #accept(req: IncomingMessage): Promise<{ body: Record<string, unknown>; rawBody: Buffer; timestampSec: number; signature: string }> {
    const { bodyLimitBytes } = this.#opts;
    const length = req.headers['content-length'];
    if (length !== undefined && !(Number(length) <= bodyLimitBytes)) throw new Refusal(413, `declared body of ${length} bytes is over the limit`);
    const signature = req.headers['x-slack-signature'];
    const timestamp = req.headers['x-slack-request-timestamp'];
    if (typeof signature !== 'string' || typeof timestamp !== 'string') throw new Refusal(401, 'no signature headers');
    const timestampSec = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    const nowMs = Date.now();
    if (!(Math.abs(nowMs / 1000 - timestampSec) <= SLACK_REQUEST_WINDOW_SEC)) throw new Refusal(401, 'timestamp outside ±5 minutes');
    if (this.#reading >= this.#opts.maxBodiesInFlight) throw new Refusal(503, 'too many request bodies in flight');

    this.#reading++;
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, bodyLimitBytes, this.#opts.bodyTimeoutMs);
    } finally {
      this.#reading--;
    }
    try {
      verifySlackRequest({
        signingSecret: this.#opts.signingSecret,
        body: rawBody.toString('utf8'),
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestampSec },
        nowMilliseconds: nowMs,
      });
    } catch {
      throw new Refusal(401, 'signature mismatch');
    }
    const body = parseBody(rawBody.toString('utf8'), req.headers['content-type'] ?? '');
    if (!body) throw new Refusal(400, 'body is not a JSON object');
    return { body, rawBody, timestampSec, signature };
  }

  async #dispatch(r: { req: IncomingMessage; res: ServerResponse; body: Record<string, unknown>; rawBody: Buffer; requestId: string; retryNum?: number }) {
    const ack = new HTTPResponseAck({
      logger: this.#opts.boltLogger,
      // Ack as soon as a listener calls ack(); the rest of the listener runs after the response.
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: this.#opts.unhandledRequestTimeoutMillis,
      httpRequest: Object.assign(r.req, { rawBody: r.rawBody }),
      httpRequestBody: r.body,
      httpResponse: r.res,
    });
    const event: ReceiverEvent = {
      body: r.body,
      ack: ack.bind(),
      retryNum: r.retryNum,
      retryReason: header(r.req, 'x-slack-retry-reason'),
      customProperties: { ...this.#opts.customProperties?.(r.req), requestId: r.requestId },
    };
    try {
      await this.#app!.processEvent(event);
      // Bolt hands a listener's error to app.error and resolves: without this, a listener that
      // threw before its ack would leave Slack waiting for the no-ack timeout.
      const failure = requestFailure();
      if (failure !== undefined && !r.res.headersSent) throw failure;
    } catch (error) {
      if (r.res.headersSent) return; // a listener failed after its ack: app.error has it
      ack.ack(); // answered here: Bolt's no-ack timer must not answer again
      // Our listeners ack before any work, so a failure before the ack is Bolt choking on a payload
      // Slack would never send (signed, but not a shape Bolt knows): a client error.
      // Bolt wraps what listeners threw: one error as `original`, several (every listener choking) as `originals`.
      const wrapped = error as { original?: unknown; originals?: unknown[] };
      const causes = wrapped.originals ?? [wrapped.original ?? error];
      const status = error instanceof AuthorizationError ? 401 : causes.every((c) => c instanceof TypeError) ? 400 : 500;
      if (status === 500) throw error;
      this.#opts.log.warn({ requestId: r.requestId, status, reason: (error as Error).message }, 'refused a malformed Slack request');
      r.res.writeHead(status).end();
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function retryNumber(req: IncomingMessage): number | undefined {
  const value = header(req, 'x-slack-retry-num');
  return value !== undefined && /^\d{1,3}$/.test(value) ? Number(value) : undefined;
}

/** Answer without reading the rest of the body, and drop the connection once the answer is out. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status, { connection: 'close' }).end(() => {
    if (!req.complete) req.destroy();
  });
}

/** The body, up to `limit` bytes and within `timeoutMs`; a Refusal otherwise. */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Refusal) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (!err) return resolve(Buffer.concat(chunks, size));
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(new Refusal(413, `body over ${limit} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () => done(new Refusal(400, 'connection failed while reading the body'));
    const onClose = () => done(new Refusal(400, 'connection closed before the body ended'));
    const timer = setTimeout(() => done(new Refusal(408, `body not received within ${timeoutMs} ms`)), timeoutMs);
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}

/** Slack's bodies: JSON (events), or a form with a JSON `payload` (interactions) or plain fields (commands). */
function parseBody(text: string, contentType: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = parseQuery(text);
      value = typeof form['payload'] === 'string' ? JSON.parse(form['payload']) : { ...form };
    } else {
      value = JSON.parse(text);
    }
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
