/**
 * The load generator's thread (see load-generator.ts): sends requests that the main thread built and
 * signed on a fixed schedule (open loop) and times the responses here, so the fake Slack answering
 * the app's Web API calls on the main thread never delays the clock that measures the acks.
 */
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, LoadSettings, PreparedRequest, Sample, ToWorker } from './load-generator.ts';

const settings = workerData as LoadSettings;
const port = parentPort!;
const target = new URL(settings.origin);
// Slack opens as many connections as it needs: never queue a request behind a busy socket here.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const queue: PreparedRequest[] = [];
const samples: Sample[] = [];
const late: number[] = [];
let consumed = 0;
let outstanding = 0;
let errors = 0;
let non2xx = 0;
let firstSent = 0;
let lastSent = 0;
const wall = () => performance.timeOrigin + performance.now();

function send(r: PreparedRequest): void {
  const sample: Sample = { id: r.id, kind: r.kind, sentAt: 0, ms: NaN, status: 0 };
  samples.push(sample);
  outstanding++;
  let finished = false;
  const finish = (status: number) => {
    if (finished) return;
    finished = true;
    outstanding--;
    sample.status = status;
    if (status === 0) errors++;
    else {
      sample.ms = wall() - sample.sentAt;
      if (status !== 200) non2xx++;
    }
    maybeDone();
  };
  const req = request(
    {
      host: target.hostname,
      port: target.port,
      path: settings.path,
      method: 'POST',
      agent,
      headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
    },
    (res) => {
      res.on('data', () => {});
      res.on('end', () => finish(res.statusCode ?? 0));
      res.on('error', () => finish(0));
    },
  );
  req.setTimeout(settings.timeoutMs, () => req.destroy(new Error('timeout')));
  req.on('error', () => finish(0));
  sample.sentAt = wall();
  if (!firstSent) firstSent = sample.sentAt;
  lastSent = sample.sentAt;
  req.end(r.body);
  consumed++;
}

let allSent = false;
const loopDelay = monitorEventLoopDelay({ resolution: 1 });

function maybeDone(): void {
  if (!allSent || outstanding > 0) return;
  loopDelay.disable();
  clearInterval(refill);
  const sorted = [...late].sort((a, b) => a - b);
  port.postMessage({
    type: 'done',
    samples,
    errors,
    non2xx,
    sent: samples.length,
    lateP99: sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]! : 0,
    lateMax: sorted.at(-1) ?? 0,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
    sendSeconds: (lastSent - firstSent) / 1000,
  } satisfies FromWorker);
  agent.destroy();
}

// Ask for as many new requests as were used, every 50 ms: the buffer stays about 250 ms ahead.
const refill = setInterval(() => {
  if (consumed === 0) return;
  port.postMessage({ type: 'consumed', count: consumed } satisfies FromWorker);
  consumed = 0;
}, 50);

function run(): void {
  loopDelay.enable();
  if (settings.burst !== undefined) {
    for (const r of queue.splice(0, settings.burst)) send(r);
    allSent = true;
    maybeDone();
    return;
  }
  const rate = settings.rate!;
  const total = Math.round(rate * settings.seconds!);
  const t0 = performance.now();
  let n = 0;
  // Every millisecond: send whatever the schedule says is due (request i is due at t0 + i/rate).
  const tick = () => {
    const now = performance.now();
    while (n < total && t0 + (n * 1000) / rate <= now) {
      const r = queue.shift();
      if (!r) break; // the main thread is behind: the rest go out late (counted)
      late.push(now - (t0 + (n * 1000) / rate));
      send(r);
      n++;
    }
    if (n < total) setTimeout(tick, 1);
    else {
      allSent = true;
      maybeDone();
    }
  };
  tick();
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'requests') queue.push(...msg.requests);
  else run();
});
