import { HTTPModuleFunctions, type App, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from './log.ts';

/**
 * Acks first, work after. Every request shares one event loop: an ack that arrives while other
 * requests' post-ack work (views.open, queries, rendering) is queued waits behind all of it, so under
 * a burst the ack latency grows with the whole app's work rather than Bolt's. Here the work after
 * an ack waits for one of a few slots, and for a pause in arrivals: while requests keep coming (a
 * burst), their acks go first and the work runs once `quietMs` pass without a new one. At most
 * `limit` handlers interleave with incoming requests and the rest queue in order; each still starts
 * within `maxWaitMs` (a trigger_id lives 3 s, and a handler slow on I/O must not hold up the others).
 */
export class AfterAckSlots {
  #running = 0;
  #lastArrival = -Infinity;
  #quietCheck: NodeJS.Timeout | undefined;
  #capCheck: NodeJS.Timeout | undefined;
  /** In arrival order, so the first one is always the one that has waited longest. */
  readonly #waiting: Array<{ admit: () => void; since: number }> = [];

  readonly limit: number;
  readonly maxWaitMs: number;
  readonly quietMs: number;

  /**
   * Defaults measured with bench/: 1, 2 and 4 slots ack alike (ack.bench.ts). Requests of one burst
   * arrive well under a millisecond apart, but the load generator sharing the machine stalls now and
   * then for 2–3 ms, and work admitted in the middle of a burst delayed the acks after it: 5 ms of
   * quiet let almost none in. The cap is a backstop: a burst's work starts when the burst ends
   * (~90 ms in ack.bench.ts); a 100 ms cap released the backlog while the burst's last acks were
   * still due, and 20 simultaneous launches (launch.bench.ts) kept their p99 with 250.
   */
  constructor(opts: { limit?: number; maxWaitMs?: number; quietMs?: number } = {}) {
    this.limit = opts.limit ?? 4;
    this.maxWaitMs = opts.maxWaitMs ?? 250;
    this.quietMs = opts.quietMs ?? 5;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** A request came in: work after acks holds off until requests stop coming for `quietMs`. */
  arrived(): void {
    this.#lastArrival = performance.now();
  }

  /** Resolves with the function that gives the slot back, once the caller may run. */
  enter(): Promise<() => void> {
    if (this.#waiting.length === 0 && this.#running < this.limit && this.#quietFor() >= this.quietMs) return Promise.resolve(this.#take());
    return new Promise((resolve) => {
      this.#waiting.push({ admit: () => resolve(this.#take()), since: performance.now() });
      this.#admitWaiting();
      this.#watchLongestWait();
    });
  }

  #quietFor(): number {
    return performance.now() - this.#lastArrival;
  }

  /** Start waiting callers, in order, while slots are free and arrivals have paused. */
  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#running < this.limit) {
      const quietIn = this.quietMs - this.#quietFor();
      if (quietIn > 0) {
        // Decided after the event loop's next poll: requests that came in during a long task or a
        // garbage collection are read (and counted as arrivals) before the quiet is believed.
        this.#quietCheck ??= setTimeout(() => {
          setImmediate(() => {
            this.#quietCheck = undefined;
            this.#admitWaiting();
          });
        }, Math.ceil(quietIn));
        return;
      }
      this.#waiting.shift()!.admit();
    }
  }

  /**
   * One timer for the whole queue, due when its oldest caller reaches maxWaitMs: callers that have
   * waited that long run beside the others (over the limit, burst or not) rather than later.
   */
  #watchLongestWait(): void {
    if (this.#capCheck || this.#waiting.length === 0) return;
    const dueIn = this.#waiting[0]!.since + this.maxWaitMs - performance.now();
    this.#capCheck = setTimeout(() => {
      this.#capCheck = undefined;
      // Timers count whole milliseconds, so one may fire a fraction early: a millisecond of slack.
      const due = performance.now() - this.maxWaitMs + 1;
      while (this.#waiting.length > 0 && this.#waiting[0]!.since <= due) this.#waiting.shift()!.admit();
      this.#watchLongestWait();
    }, Math.max(0, Math.ceil(dueIn)));
  }

  #take(): () => void {
    this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#admitWaiting();
    };
  }
}

/**
 * Where HTTPReceiver leaves a request's raw body for prioritizeAcks (through its
 * customPropertiesExtractor; see src/platform/slack.ts). A symbol, so it never reaches log lines.
 */
export const RAW_BODY = Symbol('raw Slack request body');

export interface RawBody {
  bytes: Buffer;
  contentType: string | undefined;
}

/**
 * On every request's context: when it came in and, once answered, when it was acked
 * (performance.now()). The one place acks are timed; metrics and the request log read it.
 */
export const ACK_TIMING = 'demoVmAckTiming';

export interface AckTiming {
  receivedAt: number;
  ackedAt?: number;
}

/**
 * The ack of a request that can be answered from its payload alone (no I/O), or undefined when its
 * listener decides: see ListenerRouter.ackOnArrival.
 */
export type AckOnArrival = (body: Record<string, unknown>) => { response?: unknown } | undefined;

export interface PrioritizeOptions {
  ackOnArrival?: AckOnArrival;
  /** Told of each ack, with its latency from the request's arrival in ms (request metrics). */
  acked?: (body: unknown, ms: number) => void;
  log?: Logger;
}

/**
 * Acks first, work after. Every request reaches Bolt through here (App.processEvent, wrapped because
 * Bolt hands middleware a copy of the listener arguments, so an `ack` replaced there would not reach
 * the listener):
 * - A request `ackOnArrival` can answer is acked before Bolt runs, and Bolt runs it once it holds a
 *   slot. Only its raw body waits in the queue (parsed again when its turn comes): a burst's waiting
 *   requests, with the receiver's request and response objects and their parsed payloads, survived
 *   the garbage collections of the burst (~1 MB copied each time, 10 KB for bare Bolt) and were
 *   promoted, and the old-generation collections that followed landed in later bursts.
 * - Any other request (a view submission, options) goes to Bolt at once; its listener's
 *   `await ack()` returns once the request holds a slot. The response itself is sent at once.
 * The slot is given back when Bolt has finished with the request.
 */
export function prioritizeAcks(bolt: App, slots: AfterAckSlots, opts: PrioritizeOptions = {}): void {
  const processEvent = bolt.processEvent.bind(bolt);
  bolt.processEvent = async (event: ReceiverEvent) => {
    slots.arrived();
    const timing: AckTiming = { receivedAt: performance.now() };
    const { [RAW_BODY]: raw, ...rest } = (event.customProperties ?? {}) as Record<string | symbol, unknown>;
    const customProperties = { ...rest, [ACK_TIMING]: timing };
    const answer = opts.ackOnArrival?.(event.body as Record<string, unknown>);
    if (answer) {
      await sendAck(event, answer.response, timing, opts);
      const later: Later = { raw: raw as RawBody | undefined, body: raw ? undefined : event.body, retryNum: event.retryNum, retryReason: event.retryReason, customProperties };
      runAfterAck(later, slots, processEvent, opts.log);
      return;
    }
    let release: (() => void) | undefined;
    const ack: ReceiverEvent['ack'] = async (response) => {
      await sendAck(event, response, timing, opts);
      release ??= await slots.enter();
      // Resume after the I/O already waiting (other requests to ack) has had its turn.
      await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      await processEvent({ ...event, ack, customProperties });
    } finally {
      release?.();
    }
  };
}

/** Send the ack, note when, and say so (a second ack throws in the receiver before it counts). */
async function sendAck(event: ReceiverEvent, response: unknown, timing: AckTiming, opts: PrioritizeOptions): Promise<void> {
  await event.ack(response);
  timing.ackedAt = performance.now();
  opts.acked?.(event.body, timing.ackedAt - timing.receivedAt);
}

/** What a request acked on arrival keeps while it waits for a slot. */
interface Later {
  raw: RawBody | undefined;
  body: unknown;
  retryNum: ReceiverEvent['retryNum'];
  retryReason: ReceiverEvent['retryReason'];
  customProperties: Record<string, unknown>;
}

/** Kept apart from prioritizeAcks' closure, which would keep the whole ReceiverEvent alive while it waits. */
function runAfterAck(later: Later, slots: AfterAckSlots, processEvent: App['processEvent'], log: Logger | undefined): void {
  void (async () => {
    const release = await slots.enter();
    try {
      await new Promise((resolve) => setImmediate(resolve));
      const body = later.raw ? HTTPModuleFunctions.parseHTTPRequestBody({ rawBody: later.raw.bytes, headers: { 'content-type': later.raw.contentType } } as never) : later.body;
      // Already answered: a listener's own `ack()` is a no-op.
      await processEvent({ body, ack: async () => {}, retryNum: later.retryNum, retryReason: later.retryReason, customProperties: later.customProperties });
    } catch (err) {
      // Bolt gives listener errors to app.error and resolves; only a failing error handler lands here.
      log?.error({ err }, 'a Slack request failed after it was acked');
    } finally {
      release();
    }
  })();
}
