import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../src/platform/clock.ts';
import { DEFAULT_CHANNELS, DEFAULT_IDENTITY, DEFAULT_USERGROUPS, DEFAULT_USERS, type ChannelSeed } from './defaults.ts';
import { argString, parseApiBody, readRaw, sendJson } from './http-body.ts';
import { fail } from './methods/context.ts';
import { METHODS } from './methods/index.ts';
import { Recorder, type FailSpec, type RateLimitMode, type WaitOptions } from './recorder.ts';
import { answerResponseUrl } from './response-url.ts';
import type { ResponseUrlOptions } from './store/grants.ts';
import { Workspace } from './store/workspace.ts';
import type { Args, CallRecord, FakeUser, Identity, JsonObject, StoredEphemeral, StoredMessage, StoredView } from './types.ts';

export interface FakeSlackOptions {
  /** Bot token the fake accepts (default xoxb-local-fake). */
  token?: string;
  identity?: Partial<Omit<Identity, 'token'>>;
  users?: FakeUser[];
  /** Channels and whether the bot is a member of each. */
  channels?: ChannelSeed[];
  usergroups?: Record<string, string[]>;
  /** Drives message ts, trigger expiry (3 s) and response_url expiry (30 min). */
  clock?: Clock;
  /** Behave as if the app had chat:write.public (post to public channels without joining). */
  chatWritePublic?: boolean;
}

/** Extra routes (the local workspace page); return true when handled. */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** Pseudo-methods under which non-API requests are recorded. */
export const RESPONSE_URL_METHOD = 'response_url';
export const UPLOAD_METHOD = 'upload_url';

/**
 * An in-process Slack: the Web API at POST {url}/api/{method}, file upload URLs and response_urls, over
 * a state model (`workspace`) that emits an event for every change.
 */
export class FakeSlack {
  readonly workspace: Workspace;
  readonly #recorder: Recorder;
  readonly #chatWritePublic: boolean;
  readonly #extra: ExtraHandler[] = [];
  #server: Server | undefined;
  #baseUrl = '';
  #hang = false;
  #held: Array<{ req: IncomingMessage; res: ServerResponse }> = [];

  constructor(opts: FakeSlackOptions = {}) {
    const identity: Identity = { ...DEFAULT_IDENTITY, ...opts.identity, token: opts.token ?? DEFAULT_IDENTITY.token };
    this.workspace = new Workspace({
      clock: opts.clock ?? systemClock,
      identity,
      users: opts.users ?? DEFAULT_USERS,
      channels: opts.channels ?? DEFAULT_CHANNELS,
      usergroups: opts.usergroups ?? DEFAULT_USERGROUPS,
    });
    this.#recorder = new Recorder(this.workspace.events);
    this.#chatWritePublic = opts.chatWritePublic ?? false;
  }

  get events() {
    return this.workspace.events;
  }

  get identity(): Identity {
    return this.workspace.identity;
  }

  /** http://127.0.0.1:PORT (after listen). */
  get url(): string {
    if (this.#baseUrl === '') throw new Error('fake Slack: call listen() first');
    return this.#baseUrl;
  }

  /** What the app's WebClient gets as slackApiUrl. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; apiUrl: string }> {
    if (this.#server) throw new Error('fake Slack: already listening');
    // #handle answers every error itself (a 500 or a reset), so nothing is left to await here.
    const server = createServer((req, res) => void this.#handle(req, res));
    // Slack's edge keeps idle connections open far longer than Node's 5 s default; a client reusing
    // a connection the fake had just closed saw "fetch failed" on its first call after a pause.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const addr = server.address() as AddressInfo;
    const shown = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address;
    this.#baseUrl = `http://${shown.includes(':') ? `[${shown}]` : shown}:${addr.port}`;
    return { url: this.url, apiUrl: this.apiUrl };
  }

  /** Stops at once, destroying open and held (hang mode) connections. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const { res } of this.#held.splice(0)) res.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Whether calls are kept in `calls` (default true); the 'call' event fires either way. */
  set retainCalls(retain: boolean) {
    this.#recorder.retain = retain;
  }

  get calls(): readonly CallRecord[] {
    return this.#recorder.calls;
  }

  callsTo(method: string): CallRecord[] {
    return this.#recorder.callsTo(method);
  }

  /** The index of the next call, to wait only for calls made from now on: waitFor(m, p, { after: mark }). */
  mark(): number {
    return this.#recorder.calls.length;
  }

  waitFor(method: string, predicate?: (call: CallRecord) => boolean, timeout?: number | WaitOptions): Promise<CallRecord> {
    const opts = typeof timeout === 'number' ? { timeoutMs: timeout } : (timeout ?? {});
    return this.#recorder.waitFor(method, predicate, opts);
  }

  /** Fail the next `times` calls: failNext('chat.update', { error: 'ratelimited', status: 429, retryAfter: 1 }). */
  failNext(method: string, spec: FailSpec, times = 1): void {
    this.#recorder.failNext(method, spec, times);
  }

  /** Global rate limiting (null turns it off). */
  rateLimit(mode: RateLimitMode | null): void {
    this.#recorder.setRateLimit(mode);
  }

  /** While true, requests are accepted but not answered; turning it off answers the held ones. */
  get hang(): boolean {
    return this.#hang;
  }

  set hang(on: boolean) {
    this.#hang = on;
    if (on) return;
    for (const { req, res } of this.#held.splice(0)) {
      if (!res.destroyed && !req.socket.destroyed) void this.#handle(req, res); // answers its own errors
    }
  }

  /** While true, connections are reset as soon as a request arrives (the Web API unreachable). */
  refuse = false;

  /** How many requests hang mode is holding. */
  get heldRequests(): number {
    return this.#held.length;
  }

  /** A trigger_id as Slack puts in interaction payloads: valid once, for 3 seconds. */
  issueTriggerId(user = 'U_ALICE'): string {
    return this.workspace.grants.issueTrigger(user);
  }

  /** A response_url served by this fake: 5 uses within 30 minutes. */
  issueResponseUrl(channel: string, user: string, opts: ResponseUrlOptions = {}): string {
    return `${this.url}${this.workspace.grants.issueResponseUrlPath(channel, user, opts)}`;
  }

  /** Serve more routes from the same server (tried before the 404). */
  use(handler: ExtraHandler): void {
    this.#extra.push(handler);
  }

  /** Empty state (seeded users and channels only), no calls, no injected faults, hang off. */
  reset(): void {
    this.workspace.reset();
    this.#recorder.clear();
    this.hang = false;
  }

  // ---- state accessors ------------------------------------------------------------------------

  /** All messages of a channel (a user id means the bot's IM with them), oldest first, replies included. */
  messages(channel: string): StoredMessage[] {
    return this.workspace.messages.all(this.#channelId(channel));
  }

  /** Top-level messages, newest first (conversations.history's order). */
  history(channel: string): StoredMessage[] {
    return this.workspace.messages.topLevel(this.#channelId(channel));
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.workspace.messages.find(this.#channelId(channel), ts);
  }

  /** A thread's parent and replies, oldest first. */
  thread(channel: string, ts: string): StoredMessage[] {
    return this.workspace.messages.thread(this.#channelId(channel), ts) ?? [];
  }

  ephemerals(user?: string): StoredEphemeral[] {
    return this.workspace.messages.ephemerals.filter((e) => !e.deleted && (user === undefined || e.user === user));
  }

  /** The user's open modal stack, bottom first. */
  views(user: string): StoredView[] {
    return this.workspace.views.stack(user);
  }

  view(id: string): StoredView | undefined {
    return this.workspace.views.get(id);
  }

  home(user: string): StoredView | undefined {
    return this.workspace.views.home(user);
  }

  /** The bot's IM channel with a user, if one was opened. */
  imChannel(user: string): string | undefined {
    return this.workspace.directory.imOf(user);
  }

  #channelId(channel: string): string {
    return this.workspace.directory.isUserId(channel) ? (this.imChannel(channel) ?? channel) : channel;
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.refuse) {
      this.events.emit('request_refused', req.url ?? '');
      req.socket.destroy();
      return;
    }
    if (this.#hang) {
      this.#held.push({ req, res });
      this.events.emit('request_held', req.url ?? '');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    try {
      if (url.pathname.startsWith('/api/')) return await this.#api(req, res, url, url.pathname.slice('/api/'.length));
      if (url.pathname.startsWith('/upload/v1/')) return await this.#upload(req, res, url.pathname.slice('/upload/v1/'.length));
      if (req.method === 'POST' && this.workspace.grants.isResponseUrlPath(url.pathname)) {
        return await this.#responseUrl(req, res, url.pathname);
      }
      for (const handler of this.#extra) if (await handler(req, res, url)) return;
      sendJson(res, 404, { ok: false, error: 'not_found' });
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
      else res.destroy();
    }
  }

  async #api(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    let parsed;
    try {
      parsed = await parseApiBody(req, url);
    } catch {
      return this.#reply(res, method, {}, 200, fail('invalid_json'));
    }
    const { args } = parsed;
    const token = bearer(req) ?? argString(args, 'token');
    delete args['token'];
    if (this.#injectedFailure(res, method, args)) return;
    if (token === undefined || token === '') return this.#reply(res, method, args, 200, fail('not_authed'));
    if (token !== this.identity.token) return this.#reply(res, method, args, 200, fail('invalid_auth'));
    const handler = METHODS[method];
    if (!handler) return this.#reply(res, method, args, 200, fail('unknown_method'));
    if (parsed.badJsonField !== undefined) {
      const error = ['blocks', 'attachments'].includes(parsed.badJsonField) ? 'invalid_blocks_format' : 'invalid_arguments';
      return this.#reply(res, method, args, 200, fail(error));
    }
    const ctx = { args, ws: this.workspace, baseUrl: this.url, chatWritePublic: this.#chatWritePublic };
    this.#reply(res, method, args, 200, handler(ctx));
  }

  /** Injected failures and rate limiting come before anything else, as a busy Slack would answer. */
  #injectedFailure(res: ServerResponse, method: string, args: Args): boolean {
    const spec = this.#recorder.takeFailure(method);
    if (spec) {
      const status = spec.status ?? 200;
      const retryAfter = spec.retryAfter ?? (status === 429 ? 1 : undefined);
      const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
      this.#reply(res, method, args, status, { ok: false, error: spec.error, ...spec.body }, headers);
      return true;
    }
    const retryAfter = this.#recorder.rateLimited(method);
    if (retryAfter === undefined) return false;
    this.#reply(res, method, args, 429, fail('ratelimited'), { 'retry-after': String(retryAfter) });
    return true;
  }

  #reply(res: ServerResponse, method: string, args: Args, status: number, body: JsonObject, headers: Record<string, string> = {}): void {
    this.#recorder.record({ method, args, at: new Date(), status, response: body });
    sendJson(res, status, body, headers);
  }

  /** The upload URL from files.getUploadURLExternal; WebClient posts the bytes as multipart field `body`. */
  async #upload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const raw = await readRaw(req);
    const args: Args = { file_id: fileId };
    if (this.#injectedFailure(res, UPLOAD_METHOD, args)) return;
    const file = this.workspace.files.get(fileId);
    if (!file) return this.#reply(res, UPLOAD_METHOD, args, 404, fail('file_not_found'));
    file.uploaded = await uploadedBytes(raw, req.headers['content-type'] ?? 'application/octet-stream');
    this.#recorder.record({ method: UPLOAD_METHOD, args: { ...args, bytes: file.uploaded.bytes }, at: new Date(), status: 200, response: { ok: true } });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${file.uploaded.bytes}`);
  }

  async #responseUrl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = (await readRaw(req)).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    let payload: Args;
    try {
      payload = type.includes('json') ? (JSON.parse(raw) as Args) : (JSON.parse(new URLSearchParams(raw).get('payload') ?? '{}') as Args);
    } catch {
      return this.#reply(res, RESPONSE_URL_METHOD, { url: path }, 400, fail('invalid_payload'));
    }
    const args: Args = { ...payload, url: path };
    if (this.#injectedFailure(res, RESPONSE_URL_METHOD, args)) return;
    const answer = answerResponseUrl(this.workspace, path, payload);
    this.#reply(res, RESPONSE_URL_METHOD, args, answer.status, answer.body);
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1];
}

async function uploadedBytes(raw: Buffer, contentType: string): Promise<{ bytes: number; contentType: string }> {
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [, value] of form) {
      if (typeof value !== 'string') return { bytes: value.size, contentType: value.type || 'application/octet-stream' };
      return { bytes: Buffer.byteLength(value), contentType: 'text/plain' };
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const body = new URLSearchParams(raw.toString('utf8')).get('body') ?? '';
    return { bytes: Buffer.byteLength(body), contentType: 'text/plain' };
  }
  return { bytes: raw.length, contentType };
}
