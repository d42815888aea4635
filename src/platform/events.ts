type Listener<P> = (payload: P) => Promise<void> | void;

/**
 * In-process events, typed by a map of name → payload: one part of the app says what changed, others
 * that must only react listen. emit awaits every listener in turn, and a listener's error is the
 * emitter's (a listener that must not fail its emitter catches its own errors).
 */
export class EventBus<Events extends object> {
  readonly #listeners: { [K in keyof Events]?: Array<Listener<Events[K]>> } = {};

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    (this.#listeners[name] ??= []).push(listener);
  }

  async emit<K extends keyof Events>(name: K, payload: Events[K]): Promise<void> {
    for (const listener of this.#listeners[name] ?? []) await listener(payload);
  }
}
