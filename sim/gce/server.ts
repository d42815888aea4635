/** HTTP plumbing: route `/compute/v1/projects/{project}/…`, apply faults, record requests, send JSON. */
import { appendFileSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { GceHttpError, notFound } from './errors.ts';
import { faultError, type Faults } from './faults.ts';
import type { Reply, Route } from './types.ts';

export interface RecordedRequest {
  /** GCE method, e.g. instances.insert (or `unknown`). */
  method: string;
  httpMethod: string;
  path: string;
  query: Record<string, string>;
  requestId?: string;
  body?: unknown;
  /** HTTP status sent (0 when the connection was dropped on purpose). */
  status: number;
  at: Date;
}

export interface ServerDeps {
  project: string;
  routes: Route[];
  faults: Faults;
  requests: RecordedRequest[];
  now: () => Date;
  /** A directory where every answer is appended as a JSON line (the schema contract check reads it). */
  responseLog?: string;
}

const PREFIX = /^\/compute\/v1\/projects\/(?<project>[^/]+)\/(?<rest>.+)$/;

function send(res: ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new GceHttpError(400, 'parseError', `Invalid JSON payload received. Unexpected token.\n${text.slice(0, 40)}`);
  }
}

function logResponse(dir: string, method: string, r: Reply): void {
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `gce-responses-${process.pid}.jsonl`), `${JSON.stringify({ method, status: r.status, body: r.body })}\n`);
}

function match(routes: Route[], httpMethod: string, rest: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.httpMethod !== httpMethod) continue;
    const m = route.pattern.exec(rest);
    if (m) return { route, params: { ...m.groups } };
  }
  return undefined;
}

export function createHandler(d: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(d, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: new GceHttpError(500, 'internalError', String(err)).toJSON() });
    });
  };
}

async function handle(d: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const httpMethod = req.method ?? 'GET';
  const entry: RecordedRequest = {
    method: 'unknown',
    httpMethod,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    requestId: url.searchParams.get('requestId') ?? undefined,
    status: 0,
    at: d.now(),
  };
  d.requests.push(entry);
  const reply = (r: Reply) => {
    entry.status = r.status;
    if (d.responseLog) logResponse(d.responseLog, entry.method, r);
    send(res, r);
  };
  const fail = (e: GceHttpError) => reply({ status: e.status, body: e.toJSON() });

  try {
    const body = await readBody(req);
    if (Object.keys(body).length) entry.body = body;
    const m = PREFIX.exec(url.pathname);
    if (!m) return fail(notFound(url.pathname.replace(/^\/compute\/v1\//, '')));
    const { project, rest } = m.groups as { project: string; rest: string };
    const found = match(d.routes, httpMethod, decodeURIComponent(rest));
    if (!found) return fail(new GceHttpError(404, 'notFound', `The resource '${decodeURIComponent(url.pathname)}' was not found`));
    entry.method = found.route.method;
    if (project !== d.project) return fail(notFound(`projects/${project}`));

    const zone = found.params.zone;
    const fault = d.faults.takeHttp(found.route.method, zone);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault && fault.kind !== 'drop_response') {
      return fail(faultError(fault.kind, found.route.method, `projects/${project}/${decodeURIComponent(rest)}`, zone));
    }

    const aborted = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const result = await found.route.handle({ params: found.params, query: url.searchParams, body, aborted });
    // drop_response: the call took effect, but the client never hears back.
    if (fault?.kind === 'drop_response') return void req.socket.destroy();
    reply(result);
  } catch (e) {
    if (e instanceof GceHttpError) return fail(e);
    throw e;
  }
}
