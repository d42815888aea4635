/** The one source of "now" for jobs, schedules and queries, so tests can steer time. */
export interface Clock {
  now(): Date;
  /** Wait `ms` of this clock's time (a poll's or a backoff's pause). */
  sleep(ms: number): Promise<void>;
  /** This clock's ms per real ms while it runs by itself (1; a ScaledClock's scale); what a poll's budget counts. */
  readonly rate: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const systemClock: Clock = { now: () => new Date(), sleep: realSleep, rate: 1 };

/** A clock a test moves by hand (its pauses are real: a test moves time, not the polls). */
export class ManualClock implements Clock {
  readonly rate = 1;
  #now: number;
  constructor(start: Date | string = '2026-03-02T09:00:00Z') {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  sleep(ms: number): Promise<void> {
    return realSleep(ms);
  }
  set(to: Date | string): void {
    this.#now = new Date(to).getTime();
  }
  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }
}

/**
 * Compressed time for benchmarks on the simulator: from `origin` on, `scale` ms pass for every real ms,
 * and a pause of `ms` lasts ms / scale. Processes given the same origin and scale agree on the time.
 */
export class ScaledClock implements Clock {
  readonly rate: number;
  readonly #origin: number;
  constructor(scale: number, origin: Date) {
    this.rate = scale;
    this.#origin = origin.getTime();
  }
  now(): Date {
    return new Date(this.#origin + (Date.now() - this.#origin) * this.rate);
  }
  sleep(ms: number): Promise<void> {
    return realSleep(ms / this.rate);
  }
}
