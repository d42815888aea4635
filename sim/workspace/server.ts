import { emojiMap } from './emoji-map.ts';
import type { CustomRoute } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Config } from '../../src/config.ts';
import type { FakeSlack } from '../slack/index.ts';
import { sendJson } from '../../src/platform/http-routes.ts';
import type { Logger } from '../../src/platform/log.ts';
import { Bodies, Interactions, StaleSurface, type Outcome } from './interactions.ts';
import { LiveChanges } from './live.ts';
import { isLoopback } from '../../src/local-safety.ts';
import { gceSnapshot, snapshot, type SimulatedGce } from './snapshot.ts';
import { PageFiles } from './static.ts';

export interface LocalWorkspaceDeps {
  fake: FakeSlack;
  /** The simulator GCE calls go to, when there is one: its state feeds the "Simulated GCE" panel. */
  sim?: SimulatedGce;
  config: Config;
  signingSecret: string;
  log: Logger;
}

const MAX_BODY_BYTES = 256 * 1024;
const WORKSPACE_EVENTS = [
  'call',
  'message_posted',
  'message_updated',
  'message_deleted',
  'ephemeral_posted',
  'view_opened',
  'view_pushed',
  'view_updated',
  'view_published',
] as const;
/** The page has no login: no one else's site may drive it, or frame it. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: https: http:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The local workspace's HTTP side, mounted beside /slack/events: the page and its files, a JSON
 * snapshot of one user's Slack, a stream of change events, and the interactions the page sends.
 */
export class LocalWorkspaceServer {
  readonly live = new LiveChanges();
  readonly #deps: LocalWorkspaceDeps;
  readonly #files = new PageFiles();
  readonly #interactions: Interactions;
  #receiverUrl: string | undefined;
  readonly #onEvent = () => this.live.changed();
  readonly #hostnames: ReadonlySet<string>;

  constructor(deps: LocalWorkspaceDeps) {
    this.#deps = deps;
    this.#hostnames = pageHostnames(deps.config);
    this.#interactions = new Interactions(deps.fake, deps.signingSecret, () => {
      if (!this.#receiverUrl) throw new Error('the local workspace is not attached to the app yet');
      return this.#receiverUrl;
    });
    for (const name of WORKSPACE_EVENTS) deps.fake.events.on(name, this.#onEvent);
    const sim = deps.sim;
    if (sim) this.live.watch(() => JSON.stringify(gceSnapshot(deps.config, sim)));
  }

  /** Where the app's Bolt receiver listens (its own URL + /slack/events). */
  attach(receiverUrl: string): void {
    this.#receiverUrl = receiverUrl;
  }

  close(): void {
    for (const name of WORKSPACE_EVENTS) this.#deps.fake.events.off(name, this.#onEvent);
    this.live.close();
  }

  routes(): CustomRoute[] {
    const get = (path: string, handler: (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void> | void): CustomRoute => ({
      path,
      method: ['GET'],
      handler: (req, res) => this.#guarded(req, res, () => handler(req, res, (req as { params?: Record<string, string> }).params ?? {})),
    });
    const post = <S extends z.ZodType>(path: string, schema: S, run: (body: z.infer<S>) => Promise<Outcome> | Outcome): CustomRoute => ({
      path,
      method: ['POST'],
      handler: (req, res) => this.#guarded(req, res, () => this.#api(req, res, schema, run)),
    });
    const i = this.#interactions;
    return [
      get('/', (_req, res) => this.#file(res, 'index.html')),
      get('/local/static/:file', (_req, res, params) => this.#file(res, params['file'] ?? '')),
      get('/local/emoji.json', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=3600' });
        res.end(JSON.stringify(emojiMap()));
      }),
      get('/local/api/state', (req, res) => this.#state(req, res)),
      get('/local/api/events', (req, res) => this.live.subscribe(req, res)),
      post('/local/api/command', Bodies.command, (b) => i.command(b)),
      post('/local/api/message', Bodies.message, (b) => i.message(b)),
      post('/local/api/action', Bodies.action, (b) => i.action(b)),
      post('/local/api/submit', Bodies.submit, (b) => i.submit(b)),
      post('/local/api/close', Bodies.close, (b) => i.close(b)),
      post('/local/api/suggest', Bodies.suggest, (b) => i.suggest(b)),
      post('/local/api/home', Bodies.home, (b) => i.home(b)),
      post('/local/api/dismiss', Bodies.dismiss, (b) => i.dismiss(b)),
      post('/local/api/activity', Bodies.activity, (b) => this.#activity(b)),
    ];
  }

  #activity(b: z.infer<typeof Bodies.activity>): Outcome {
    const monitoring = this.#deps.sim?.monitoring;
    if (!monitoring) return { ok: false, error: 'GCE is not simulated here: there is no activity to set.' };
    if (!this.#deps.sim!.instances.some((i) => i.name === b.instance)) return { ok: false, error: `No VM named ${b.instance}.` };
    monitoring.activity.set(b.instance, b.pattern);
    return { ok: true };
  }

  #guarded(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void> | void): void {
    const refusal = this.#refusal(req);
    if (refusal) {
      sendJson(res, 403, { ok: false, error: refusal });
      return;
    }
    Promise.resolve()
      .then(handle)
      .catch((err: unknown) => {
        this.#deps.log.error({ err, url: req.url }, 'local workspace request failed');
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'The local workspace hit an error; see the app log.' });
        else res.end();
      });
  }

  /**
   * A site open in the same browser could otherwise post to this page's API (CSRF), or reach it under
   * its own host name (DNS rebinding). Only the page itself, addressed as this machine, gets in.
   */
  #refusal(req: IncomingMessage): string | undefined {
    const host = req.headers.host ?? '';
    const port = String(req.socket.localPort);
    if (!this.#addressesThisPage(`http://${host}`, port)) return `Host ${host} is not this page's address`;
    if (req.method !== 'POST') return undefined;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-site request';
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#addressesThisPage(origin, port)) return `origin ${origin} is not this page`;
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return 'send JSON';
    return undefined;
  }

  /** A whole URL origin naming this page: one of its host names (parsed, compared whole) on its own port. */
  #addressesThisPage(origin: string, port: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const bare = url.protocol === 'http:' && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
    return bare && this.#hostnames.has(url.hostname) && (url.port || '80') === port;
  }

  async #file(res: ServerResponse, name: string): Promise<void> {
    const file = await this.#files.get(name);
    if (!file) return sendJson(res, 404, { ok: false, error: 'not_found' });
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    res.end(file.body);
  }

  #state(req: IncomingMessage, res: ServerResponse): void {
    const user = new URL(req.url ?? '/', 'http://local').searchParams.get('user') ?? '';
    if (!this.#deps.fake.workspace.directory.users.has(user)) return sendJson(res, 400, { ok: false, error: `unknown user ${user}` });
    sendJson(res, 200, snapshot({ fake: this.#deps.fake, sim: this.#deps.sim, config: this.#deps.config, user, seq: this.live.seq }));
  }

  async #api<S extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: S, run: (body: z.infer<S>) => Promise<Outcome> | Outcome): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req));
    } catch (err) {
      return sendJson(res, 400, { ok: false, error: (err as Error).message });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return sendJson(res, 400, { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const user = (parsed.data as { user: string }).user;
    if (!this.#deps.fake.workspace.directory.users.has(user)) return sendJson(res, 400, { ok: false, error: `unknown user ${user}` });
    try {
      const outcome = await run(parsed.data);
      sendJson(res, outcome.ok ? 200 : 502, outcome);
    } catch (err) {
      // The fake's builders refuse clicks on things that are not there (any more): say so, not 500.
      if (err instanceof StaleSurface || (err instanceof Error && err.message.startsWith('fake Slack:'))) {
        return sendJson(res, 409, { ok: false, error: err.message.replace(/^fake Slack: /, '') });
      }
      throw err;
    } finally {
      // Closing a modal or dismissing an ephemeral changes state without an event of its own.
      this.live.changed();
    }
  }
}

/**
 * The names the page answers to: this machine's loopback names, and when it listens beyond
 * loopback, its bind address and LOCAL_WORKSPACE_HOSTS (never a wildcard address such as 0.0.0.0).
 * Written as URL hostnames (lower case, IPv6 in brackets) so a Host header is compared whole.
 */
function pageHostnames(config: Config): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (!isLoopback(config.bindAddress)) names.push(...[config.bindAddress, ...config.localWorkspaceHosts].filter((n) => !WILDCARDS.has(n)));
  return new Set(names.map((n) => new URL(`http://${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}`).hostname));
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
