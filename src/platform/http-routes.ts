import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export interface HealthChecks {
  /** Each check resolves true when healthy; a throw counts as unhealthy. */
  ready: Record<string, () => Promise<boolean>>;
}

/** /healthz: the process is up. /readyz: the dependencies a request needs are. */
export function healthRoutes(checks: HealthChecks): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void (async () => {
          const results: Record<string, boolean> = {};
          await Promise.all(
            Object.entries(checks.ready).map(async ([name, check]) => {
              results[name] = await Promise.race([
                check().catch(() => false),
                new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref()),
              ]);
            }),
          );
          const ok = Object.values(results).every(Boolean);
          sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: results });
        })();
      },
    },
  ];
}
