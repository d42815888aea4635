import type { Clock } from '../../src/platform/clock.ts';
import type { SimTime } from '../../sim/gce/index.ts';

/**
 * The app's clock in the simulated week: virtual time, the GCE simulator's SimTime. `now` is the
 * driver's time; a `sleep` (a job's poll or backoff, vm-steps.ts PollBudget / waitForStatus) is a
 * timer on the same SimTime, so it resolves when the driver advances past it and costs no real time.
 * `rate` is 1: a PollBudget then counts real time, which a virtual week never uses up.
 */
export class VirtualClock implements Clock {
  readonly rate = 1;
  readonly #time: SimTime;
  /** Sleeps not yet over: the app's work waiting on the clock. */
  sleeping = 0;
  /** Sleeps ever begun (a sign of the app moving). */
  begun = 0;

  constructor(time: SimTime) {
    this.#time = time;
  }

  now(): Date {
    return this.#time.now();
  }

  sleep(ms: number): Promise<void> {
    this.sleeping++;
    this.begun++;
    return new Promise((resolve) =>
      this.#time.setTimeout(() => {
        this.sleeping--;
        resolve();
      }, ms),
    );
  }
}
