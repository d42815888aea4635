import net from 'node:net';

/**
 * A TCP proxy the test controls, between the app and PostgreSQL: cut() drops every connection and
 * refuses new ones (a database lost mid-run, without stopping the shared server); restore() heals it.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<net.Socket>();
  #server?: net.Server;
  #cut = false;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  async listen(): Promise<number> {
    this.#server = net.createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.#target.port, this.#target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server!.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Rewrite a postgres:// URL to go through the proxy. */
  url(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Sockets still open, on either side. */
  get connections(): number {
    return this.#sockets.size;
  }

  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.#server?.close(() => r()) ?? r());
  }
}
