/**
 * Open-loop load from a worker thread (load-worker.ts), as Slack sends it: requests leave on a fixed
 * schedule (`rate` per second, evenly spaced) or all at once (`burst`), whether or not earlier ones
 * were answered, each on a free keep-alive connection (a new one when all are busy). A slow app
 * therefore meets a growing queue instead of a politely waiting client, and a latency is never hidden
 * behind the one before it (no coordinated omission). autocannon, used before, is closed-loop per
 * connection: at high rates it sent fewer requests than asked and timed only those.
 *
 * Requests are built and signed on this thread, where the fake Slack issues their trigger_ids, about
 * a quarter of a second before they are sent (a trigger_id lives 3 s from its issue, and Slack issues
 * it as it sends the request: a longer lead would eat into the app's 3 s); the worker asks for as many
 * new ones as it used, every 50 ms. Responses are timed on the worker's own event loop, which nothing else shares. Every sample
 * carries the wall-clock time it was sent (performance.timeOrigin + now, comparable across threads),
 * so what the fake Slack saw afterwards can be timed from the same instant.
 */
import { Worker } from 'node:worker_threads';

export interface PreparedRequest {
  /** The caller's id for this request (to match it with what the fake Slack saw). */
  id: number;
  kind: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadSettings {
  origin: string;
  path: string;
  /** Requests per second on a fixed schedule, for `seconds`. */
  rate?: number;
  seconds?: number;
  /** Or: this many requests all at once (all must be handed over before the start). */
  burst?: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

export type ToWorker = { type: 'requests'; requests: PreparedRequest[] } | { type: 'start' };

export interface Sample {
  id: number;
  kind: string;
  /** Wall-clock ms (fractional) when the request was written. */
  sentAt: number;
  /** Request written → response fully read, ms; NaN on a network error or timeout. */
  ms: number;
  /** HTTP status; 0 on a network error or timeout. */
  status: number;
}

export interface GeneratedLoad {
  samples: Sample[];
  /** Requests that failed at the network level or timed out. */
  errors: number;
  non2xx: number;
  sent: number;
  /** Requests sent later than scheduled (the generator or this thread could not keep up): p99 and max, ms. */
  lateP99: number;
  lateMax: number;
  /** p99 delay of the worker's event loop during the load (ms). */
  loopDelayP99: number;
  /** Wall-clock seconds from the first request to the last one sent. */
  sendSeconds: number;
}

export type FromWorker = { type: 'consumed'; count: number } | ({ type: 'done' } & GeneratedLoad);

export type LoadShape = { rate: number; seconds: number } | { burst: number };

/** Send `make()`'s requests to `url` with the given shape; resolves when every response is in. */
export function generateLoad(url: string, shape: LoadShape, make: () => PreparedRequest, opts: { timeoutMs?: number } = {}): Promise<GeneratedLoad> {
  const { origin, pathname } = new URL(url);
  const workerData: LoadSettings = { origin, path: pathname, timeoutMs: opts.timeoutMs ?? 10_000, ...shape };
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData });
  const send = (msg: ToWorker) => worker.postMessage(msg);
  const batch = (n: number) => Array.from({ length: n }, make);
  return new Promise((resolve, reject) => {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'consumed') {
        if ('burst' in shape) return;
        return send({ type: 'requests', requests: batch(msg.count) });
      }
      const { type: _, ...result } = msg;
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load generator thread exited (${code}) before it reported`)));
    send({ type: 'requests', requests: batch('burst' in shape ? shape.burst : Math.max(20, Math.ceil(shape.rate / 4))) });
    send({ type: 'start' });
  });
}
