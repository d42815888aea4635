/**
 * A fake Cloud Billing Catalog API: `GET /v1/services/{service}/skus` with pageSize / pageToken paging
 * and Google's JSON error shape, so @google-cloud/billing's CloudCatalogClient (`fallback: true`, REST)
 * reads it as it reads Google.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMPUTE_SERVICE, sampleCatalog, type CatalogSku } from './catalog.ts';

export interface FakeBillingOptions {
  /** SKUs per page when the client asks for more (the real API gives up to 5000). */
  maxPageSize?: number;
}

export class FakeBillingCatalog {
  /** The Compute Engine SKUs served; tests edit it (remove a SKU, change a price). */
  skus: CatalogSku[] = sampleCatalog();
  /** Every request's path and query, in order. */
  readonly requests: Array<{ path: string; query: Record<string, string> }> = [];
  maxPageSize: number;
  #failures = 0;
  #server: Server | undefined;
  #url: string | undefined;

  constructor(opts: FakeBillingOptions = {}) {
    this.maxPageSize = opts.maxPageSize ?? 5000;
  }

  /** The next `times` requests answer 503 UNAVAILABLE, as Google does in an outage. */
  failNext(times = 1): void {
    this.#failures = times;
  }

  get url(): string {
    if (!this.#url) throw new Error('FakeBillingCatalog is not listening');
    return this.#url;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    this.#server = server;
    this.#url = `http://${host}:${(server.address() as AddressInfo).port}`;
    return { url: this.#url };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://billing');
    this.requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (this.#failures > 0) {
      this.#failures--;
      return send(res, 503, error(503, 'The service is currently unavailable.', 'UNAVAILABLE'));
    }
    const m = /^\/v1\/(services\/[^/]+)\/skus$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return send(res, 404, error(404, `Method not found: ${url.pathname}`, 'NOT_FOUND'));
    if (m[1] !== COMPUTE_SERVICE) return send(res, 404, error(404, `Service ${m[1]} not found.`, 'NOT_FOUND'));
    const size = Math.min(Number(url.searchParams.get('pageSize')) || 5000, this.maxPageSize);
    const token = url.searchParams.get('pageToken');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, '')) : 0;
    if (!Number.isInteger(offset) || offset < 0) return send(res, 400, error(400, 'Invalid page token.', 'INVALID_ARGUMENT'));
    const page = this.skus.slice(offset, offset + size);
    const next = offset + size < this.skus.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : '';
    send(res, 200, { skus: page, nextPageToken: next });
  }
}

function error(code: number, message: string, status: string) {
  return { error: { code, message, status } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
