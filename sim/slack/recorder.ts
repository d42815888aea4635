import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { CallRecord, FakeSlackEvents, JsonObject } from './types.ts';

/** An injected failure: Slack's error code, the HTTP status (200 for ordinary errors) and Retry-After seconds. */
export interface FailSpec {
  error: string;
  status?: number;
  retryAfter?: number;
  /** Extra fields for the JSON body. */
  body?: JsonObject;
}

/** Global rate limiting: at most `limit` calls per method per window, then 429 with Retry-After. */
export interface RateLimitMode {
  limit: number;
  windowMs?: number;
  retryAfter?: number;
  /** Only these methods (default: all). */
  methods?: string[];
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only consider calls at or after this index of `calls` (see FakeSlack.mark()). Default 0: past calls count. */
  after?: number;
}

/** Records Web API calls and decides which ones fail on purpose. */
export class Recorder {
  readonly calls: CallRecord[] = [];
  /** Keep each call in `calls` (off for load tests: a listener on 'call' sees them without the heap growing). */
  retain = true;
  readonly #failures = new Map<string, FailSpec[]>();
  readonly #windows = new Map<string, number[]>();
  #rate: RateLimitMode | null = null;
  readonly #events: EventEmitter<FakeSlackEvents>;

  constructor(events: EventEmitter<FakeSlackEvents>) {
    this.#events = events;
  }

  record(call: CallRecord): void {
    if (this.retain) this.calls.push(call);
    this.#events.emit('call', call);
  }

  callsTo(method: string): CallRecord[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Fail the next `times` calls to `method` ('*' for any method). */
  failNext(method: string, spec: FailSpec, times = 1): void {
    const queue = this.#failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(spec);
    this.#failures.set(method, queue);
  }

  takeFailure(method: string): FailSpec | undefined {
    for (const key of [method, '*']) {
      const queue = this.#failures.get(key);
      const spec = queue?.shift();
      if (spec) return spec;
    }
    return undefined;
  }

  setRateLimit(mode: RateLimitMode | null): void {
    this.#rate = mode;
    this.#windows.clear();
  }

  /**
   * Retry-After seconds when this call is over the limit. Counted on the real monotonic clock, not the
   * injected one: it paces HTTP clients, which wait in real time.
   */
  rateLimited(method: string): number | undefined {
    const mode = this.#rate;
    if (!mode || (mode.methods && !mode.methods.includes(method))) return undefined;
    const now = performance.now();
    const windowMs = mode.windowMs ?? 60_000;
    const recent = (this.#windows.get(method) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= mode.limit) {
      this.#windows.set(method, recent);
      return mode.retryAfter ?? 1;
    }
    recent.push(now);
    this.#windows.set(method, recent);
    return undefined;
  }

  /** Resolves with the first call to `method` matching `predicate`, past or future; event-driven. */
  waitFor(method: string, predicate: (call: CallRecord) => boolean = () => true, opts: WaitOptions = {}): Promise<CallRecord> {
    const matches = (c: CallRecord) => c.method === method && predicate(c);
    const past = this.calls.slice(opts.after ?? 0).find(matches);
    if (past) return Promise.resolve(past);
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const onCall = (call: CallRecord) => {
        if (!matches(call)) return;
        clearTimeout(timer);
        this.#events.off('call', onCall);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.#events.off('call', onCall);
        const seen = this.calls.map((c) => c.method).join(', ') || 'none';
        reject(new Error(`fake Slack: no matching ${method} call within ${timeoutMs} ms (calls seen: ${seen})`));
      }, timeoutMs);
      this.#events.on('call', onCall);
    });
  }

  clear(): void {
    this.calls.length = 0;
    this.#failures.clear();
    this.setRateLimit(null);
  }
}
