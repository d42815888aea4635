/**
 * The load generator's thread (see load-generator.ts): autocannon sends requests that the main
 * thread built and signed, and times the responses here, so the fake Slack answering the app's Web
 * API calls on the main thread never delays the clock that measures the acks.
 */
import autocannon from 'autocannon';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, LoadSettings, PreparedRequest, ToWorker } from './load-generator.ts';

const settings = workerData as LoadSettings;
const port = parentPort!;
const queue: PreparedRequest[] = [];
let starved = 0;
let consumed = 0;
let lastSent: PreparedRequest | undefined;

function next(): PreparedRequest {
  const request = queue.shift();
  if (request) {
    consumed++;
    lastSent = request;
    return request;
  }
  // The main thread fell a whole buffer behind: send the newest again and say so in the result.
  starved++;
  return lastSent!;
}

function run(): void {
  const samples: Record<string, number[]> = {};
  let lastKind = '';
  let non2xx = 0;
  const instance = autocannon({
    url: settings.origin,
    connections: settings.connections,
    overallRate: settings.rate,
    duration: settings.seconds,
    timeout: 10,
    ignoreCoordinatedOmission: true,
    requests: [
      {
        setupRequest: (req, context) => {
          const r = next();
          context.kind = r.kind;
          return { ...req, method: 'POST', path: settings.path, headers: r.headers, body: r.body };
        },
        // Runs just before autocannon's 'response' event for the same response.
        onResponse: (status, _body, context) => {
          lastKind = context.kind as string;
          if (status !== 200) non2xx++;
        },
      },
    ],
  });
  instance.on('response', (_client, _status, _bytes, ms) => void (samples[lastKind] ??= []).push(ms));
  // Ask for as many new requests as were used, every 50 ms: the buffer stays about one second ahead.
  const refill = setInterval(() => {
    if (consumed === 0) return;
    port.postMessage({ type: 'consumed', count: consumed } satisfies FromWorker);
    consumed = 0;
  }, 50);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  void instance.then((done) => {
    clearInterval(refill);
    loopDelay.disable();
    port.postMessage({
      type: 'done',
      samples,
      non2xx,
      errors: done.errors,
      // Off the main thread autocannon hands back its raw, unaggregated result (run.js): a count here.
      sent: (done as unknown as { totalRequests: number }).totalRequests,
      starved,
      loopDelayP99: loopDelay.percentile(99) / 1e6,
    } satisfies FromWorker);
  });
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'requests') queue.push(...msg.requests);
  else run();
});
