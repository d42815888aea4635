/**
 * Open the load from a worker thread (load-worker.ts runs autocannon there). Requests are built and
 * signed on this thread, where the fake Slack issues their trigger_ids, about a second before they are
 * sent (a trigger_id lives 3 s); the worker asks for as many new ones as it used. Responses are timed
 * on the worker's own event loop, which nothing else shares.
 */
import { Worker } from 'node:worker_threads';

export interface PreparedRequest {
  kind: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadSettings {
  origin: string;
  path: string;
  connections: number;
  rate: number;
  seconds: number;
}

export type ToWorker = { type: 'requests'; requests: PreparedRequest[] } | { type: 'start' };

export interface GeneratedLoad {
  /** Response times (ms) by request kind. */
  samples: Record<string, number[]>;
  non2xx: number;
  errors: number;
  sent: number;
  /** Requests the worker had to send again because none was ready (0 unless this thread stalled for a second). */
  starved: number;
  /** p99 delay of the worker's event loop during the load (ms). */
  loopDelayP99: number;
}

export type FromWorker = { type: 'consumed'; count: number } | ({ type: 'done' } & GeneratedLoad);

/** `rate` requests/s for `seconds` over `connections` keep-alive connections (autocannon's overallRate). */
export function generateLoad(url: string, opts: { rate: number; seconds: number; connections: number }, make: () => PreparedRequest): Promise<GeneratedLoad> {
  const { origin, pathname } = new URL(url);
  const workerData: LoadSettings = { origin, path: pathname, ...opts };
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData });
  const send = (msg: ToWorker) => worker.postMessage(msg);
  const batch = (n: number) => Array.from({ length: n }, make);
  return new Promise((resolve, reject) => {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'consumed') return send({ type: 'requests', requests: batch(msg.count) });
      const { type: _, ...result } = msg;
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load generator thread exited (${code}) before it reported`)));
    send({ type: 'requests', requests: batch(opts.rate) });
    send({ type: 'start' });
  });
}
