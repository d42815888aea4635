import { WebClientEvent, type WebClient } from '@slack/web-api';
import { GcpError, type Compute } from './compute/port.ts';
import { metrics } from './metrics.ts';

/** Failed calls to GCE and to Slack's Web API, counted per method and kind, around the clients. */

/** Counts failed GCE calls (a GcpError's kind) and operations that ended in error, per port method. */
export function instrumentCompute<C extends Compute>(compute: C): C {
  const wrapped = new Map<string, unknown>();
  const count = (operation: string, kind: string) => metrics.gceErrors.inc({ operation, kind });
  return new Proxy(compute, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      if (!wrapped.has(prop)) {
        wrapped.set(prop, (...args: unknown[]) =>
          observeCall(
            () => (value as (...a: unknown[]) => unknown).apply(target, args),
            (result) => {
              const error = (result as { error?: { kind?: string } } | null)?.error;
              if ((prop === 'waitOperation' || prop === 'getOperation') && error?.kind) count(prop, error.kind);
            },
            (err) => count(prop, err instanceof GcpError ? err.kind : 'unknown'),
          ),
        );
      }
      return wrapped.get(prop);
    },
  });
}

/** Run fn; report its (awaited) result or failure; give back exactly what fn gave. */
function observeCall(fn: () => unknown, onResult: (value: unknown) => void, onError: (err: unknown) => void): unknown {
  let out: unknown;
  try {
    out = fn();
  } catch (err) {
    onError(err);
    throw err;
  }
  if (out && typeof (out as Promise<unknown>).then === 'function') {
    return (out as Promise<unknown>).then(
      (v) => (onResult(v), v),
      (err: unknown) => {
        onError(err);
        throw err;
      },
    );
  }
  onResult(out);
  return out;
}

function slackErrorKind(err: unknown): string {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number };
  switch (e.code) {
    case 'slack_webapi_platform_error':
      return e.data?.error ?? 'platform';
    case 'slack_webapi_request_error':
      return 'request';
    case 'slack_webapi_http_error':
      return `http_${e.statusCode ?? 'unknown'}`;
    case 'slack_webapi_rate_limited_error':
      return 'rate_limited';
    default:
      return 'other';
  }
}

/**
 * Counts failed Web API calls by method. The WebClient binds each method (`chat.postMessage`) at
 * construction, so the method namespaces are wrapped, not `apiCall`: every function in a namespace is a
 * Web API method; at the top level only `apiCall` is. 429s the client waits out and retries are counted
 * from its rate_limited event.
 */
export function instrumentSlack(client: WebClient): WebClient {
  client.on(WebClientEvent.RATE_LIMITED, (_retrySec: number, req?: { url?: string }) => {
    metrics.slackErrors.inc({ method: req?.url?.split('/').pop()?.split('?')[0] || 'unknown', kind: 'rate_limited' });
  });
  return wrapSlackNamespace(client, '');
}

function wrapSlackNamespace<T extends object>(target: T, path: string): T {
  const cache = new Map<string, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof prop !== 'string' || value === null || (typeof value !== 'function' && typeof value !== 'object')) return value;
      if (cache.has(prop)) return cache.get(prop);
      let out: unknown = value;
      if (typeof value === 'function' && (path !== '' || prop === 'apiCall')) {
        const fixed = path ? `${path}${prop}` : undefined;
        out = (...args: unknown[]) =>
          observeCall(
            () => (value as (...a: unknown[]) => unknown).apply(t, args),
            () => {},
            (err) => metrics.slackErrors.inc({ method: fixed ?? String(args[0]), kind: slackErrorKind(err) }),
          );
      } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        out = wrapSlackNamespace(value, `${path}${prop}.`); // chat, views, usergroups.users, …
      } else {
        return value;
      }
      cache.set(prop, out);
      return out;
    },
  });
}
