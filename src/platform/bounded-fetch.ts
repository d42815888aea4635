import http from 'node:http';
import https from 'node:https';

/**
 * The fetch every call to Slack goes through: the Web API clients (clientOptions.fetch, with their
 * own `timeout` off), Bolt's respond() and the error handler's apology, over node:http with
 * keep-alive. Why not the global fetch: web-api bounded each call with AbortSignal.timeout, and
 * fetch keeps a request's signal and abort handler in a FinalizationRegistry until a full garbage
 * collection has seen the request go, and its timer for the whole timeout (10 s). At 200 requests/s
 * that was thousands of finished calls alive at any time, promoted to the old generation, whose
 * collections then paused the acks (bench/ack.bench.ts). Here a call holds nothing once its answer
 * has been read: the body is read in full, the timer cleared.
 * Bodies other than strings (web-api's FormData for file uploads, which this app does not make)
 * go to the global fetch.
 */
export function boundedFetch(timeoutMs: number): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request || (init?.body != null && typeof init.body !== 'string')) {
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
    }
    return request(new URL(input), init ?? {}, timeoutMs);
  }) as typeof fetch;
}

/** Slack's Web API and response_url calls: a slow answer is given up after this (and retried where that is safe). */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }),
};

function request(url: URL, init: RequestInit, timeoutMs: number): Promise<Response> {
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new TypeError(`cannot fetch ${url.protocol} URLs`));
  const body = (init.body as string | null | undefined) ?? undefined;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, { method: init.method ?? 'GET', headers, agent });
    const fail = (err: Error) => {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no answer from ${url.origin}${url.pathname} within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(init.signal!.reason instanceof Error ? init.signal!.reason : new Error('aborted'));
    if (init.signal?.aborted) return onAbort();
    init.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('error', fail);
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && init.redirect === 'error') return fail(new TypeError(`${url.origin}${url.pathname} redirected (${status})`));
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onAbort);
        const answer = Buffer.concat(chunks);
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        // A Response with one of these statuses cannot have a body, even an empty one.
        const bodyless = status === 204 || status === 205 || status === 304;
        resolve(new Response(bodyless || answer.length === 0 ? null : answer, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
    });
    req.end(body);
  });
}
