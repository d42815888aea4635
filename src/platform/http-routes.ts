import type { CustomRoute } from '@slack/bolt';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export interface HealthChecks {
  /** Which role's needs the checks are (reported in /readyz). */
  role: string;
  /** Each check resolves true when healthy; a throw counts as unhealthy. */
  ready: Record<string, () => Promise<boolean>>;
  /** What a reader of /readyz should know that is no reason to be unready (stale prices…). */
  details?: () => Promise<Record<string, unknown>>;
}

/** /healthz: the process is up. /readyz: the dependencies a request needs are. */
export function healthRoutes(checks: HealthChecks): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        // Route handlers return void: this answers on res itself, and every check's failure is caught (false).
        void (async () => {
          const results: Record<string, boolean> = {};
          await Promise.all(
            Object.entries(checks.ready).map(async ([name, check]) => {
              results[name] = await Promise.race([check().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]);
            }),
          );
          const ok = Object.values(results).every(Boolean);
          const details = await checks.details?.().catch(() => undefined);
          sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', role: checks.role, checks: results, ...(details ? { details } : {}) });
        })();
      },
    },
  ];
}

/** Answers req with the custom route matching its method and path (`:name` segments become params); false if none does. */
export function serveRoute(routes: CustomRoute[], req: IncomingMessage, res: ServerResponse): boolean {
  const pathname = new URL(req.url ?? '/', 'http://any').pathname;
  for (const route of routes) {
    if (!(Array.isArray(route.method) ? route.method : [route.method]).includes(req.method ?? 'GET')) continue;
    const match = new URLPattern({ pathname: route.path }).exec({ pathname });
    if (!match) continue;
    const params = Object.fromEntries(Object.entries(match.pathname.groups).filter((e): e is [string, string] => e[1] !== undefined));
    route.handler(Object.assign(req, { params }), res); // answers on res itself
    return true;
  }
  return false;
}

/** A worker has no Slack receiver: its health and metrics routes get a small server of their own. */
export async function serveRoutes(routes: CustomRoute[], at: { port: number; host: string }): Promise<Server> {
  const server = createServer((req, res) => {
    if (!serveRoute(routes, req, res)) sendJson(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, resolve);
  });
  return server;
}
