import type { App, ReceiverEvent } from '@slack/bolt';

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
      const now = performance.now();
      while (this.#waiting.length > 0 && now - this.#waiting[0]!.since >= this.maxWaitMs - 1) this.#waiting.shift()!.admit();
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
 * Make every listener's `await ack()` (and Bolt's own ack of Events API requests) return only once
 * the request holds a slot; the slot is given back when Bolt has finished with the request. The
 * response itself is sent at once. Wraps processEvent because Bolt hands middleware a copy of the
 * listener arguments, so an `ack` replaced there would not reach the listener.
 */
export function prioritizeAcks(bolt: App, slots: AfterAckSlots): void {
  const processEvent = bolt.processEvent.bind(bolt);
  bolt.processEvent = async (event: ReceiverEvent) => {
    slots.arrived();
    let release: (() => void) | undefined;
    const ack: ReceiverEvent['ack'] = async (response) => {
      await event.ack(response);
      release ??= await slots.enter();
      // Resume after the I/O already waiting (other requests to ack) has had its turn.
      await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      await processEvent({ ...event, ack });
    } finally {
      release?.();
    }
  };
}
