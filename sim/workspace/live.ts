import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Server-sent events for the page: one `changed` event (with a sequence number) whenever the fake
 * workspace or the simulated GCE changes; the page then fetches a fresh snapshot. Bursts of changes
 * (a job editing a message several times) are coalesced into one event.
 */
export class LiveChanges {
  readonly #clients = new Set<ServerResponse>();
  readonly #coalesceMs: number;
  readonly #heartbeat: NodeJS.Timeout;
  #seq = 0;
  #pending: NodeJS.Timeout | undefined;
  #closed = false;
  /** Polled while someone listens: sources without events (the GCE simulator) report a fingerprint. */
  readonly #pollers: Array<{ fingerprint: () => string; last: string }> = [];
  #poll: NodeJS.Timeout | undefined;

  constructor(opts: { coalesceMs?: number; heartbeatMs?: number } = {}) {
    this.#coalesceMs = opts.coalesceMs ?? 25;
    // A comment line now and then keeps proxies and the browser from timing the stream out.
    this.#heartbeat = setInterval(() => this.#write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000).unref();
  }

  get seq(): number {
    return this.#seq;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Something changed: tell every page (soon, once per burst). */
  changed(): void {
    if (this.#closed || this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#seq += 1;
      this.#write(`event: changed\ndata: ${this.#seq}\n\n`);
    }, this.#coalesceMs);
  }

  /** Watch a source that has no events by comparing its fingerprint every `everyMs` while pages listen. */
  watch(fingerprint: () => string, everyMs = 400): void {
    this.#pollers.push({ fingerprint, last: fingerprint() });
    this.#poll ??= setInterval(() => {
      if (this.#clients.size === 0) return;
      for (const p of this.#pollers) {
        const now = p.fingerprint();
        if (now !== p.last) {
          p.last = now;
          this.changed();
        }
      }
    }, everyMs).unref();
  }

  /** GET handler: keeps the response open as an event stream. */
  subscribe(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 1000\nevent: changed\ndata: ${this.#seq}\n\n`);
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }

  /** End every stream (an open stream would keep the HTTP server from closing). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#poll);
    clearTimeout(this.#pending);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #write(chunk: string): void {
    for (const res of this.#clients) res.write(chunk);
  }
}
