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
  readonly #waiting: Array<() => void> = [];

  readonly limit: number;
  readonly maxWaitMs: number;
  readonly quietMs: number;

  /**
   * Defaults measured with bench/: 1, 2 and 4 slots ack alike (ack.bench.ts). Requests of one burst
   * arrive well under 2 ms apart; at 200 requests/s spread at random, a 2 ms pause comes within a
   * few milliseconds. The cap is a backstop: a burst's work starts when the burst ends (~90 ms in
   * ack.bench.ts); a 100 ms cap released the backlog while the burst's last acks were still due, and
   * 20 simultaneous launches (launch.bench.ts) kept their p99 (500–690 ms) with 250.
   */
  constructor(opts: { limit?: number; maxWaitMs?: number; quietMs?: number } = {}) {
    this.limit = opts.limit ?? 4;
    this.maxWaitMs = opts.maxWaitMs ?? 250;
    this.quietMs = opts.quietMs ?? 2;
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
      let admitted = false;
      const admit = () => {
        if (admitted) return;
        admitted = true;
        clearTimeout(timer);
        const at = this.#waiting.indexOf(admit);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve(this.#take());
      };
      // Waited long enough: run beside the others (over the limit, burst or not) rather than later.
      const timer = setTimeout(admit, this.maxWaitMs);
      this.#waiting.push(admit);
      this.#admitWaiting();
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
        this.#quietCheck ??= setTimeout(() => {
          this.#quietCheck = undefined;
          this.#admitWaiting();
        }, Math.ceil(quietIn));
        return;
      }
      this.#waiting[0]!();
    }
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
