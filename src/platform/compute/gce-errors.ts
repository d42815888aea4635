/**
 * Errors of the Google clients (gax GoogleError over REST, fetch/network errors) as our GcpError.
 * No Google library is imported here: the export adapters use it without loading the compute client.
 */
import { GcpError, type GcpErrorKind } from './port.ts';

// gax keeps the HTTP body of a failed REST call on the error under this registered symbol.
const RAW_PAYLOAD = Symbol.for('google-gax.rawHttpResponsePayload');

function rawError(e: unknown): { code?: number; message?: string; reason?: string } {
  const raw = (e as Record<symbol, unknown> | null)?.[RAW_PAYLOAD];
  if (typeof raw !== 'string') return {};
  try {
    const err = (JSON.parse(raw) as { error?: { code?: number; message?: string; errors?: Array<{ reason?: string }> } }).error;
    return { code: err?.code, message: err?.message, reason: err?.errors?.[0]?.reason };
  } catch {
    return {};
  }
}

const GRPC_KIND: Record<number, GcpErrorKind> = {
  3: 'invalid',
  4: 'unavailable',
  5: 'not_found',
  6: 'conflict',
  7: 'permission',
  8: 'rate_limited',
  13: 'unavailable',
  14: 'unavailable',
  16: 'permission',
};
const QUOTA_REASONS = new Set(['quotaExceeded', 'QUOTA_EXCEEDED']);
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);

function kindFor(status: number | undefined, reason: string | undefined, grpcCode: unknown): GcpErrorKind {
  if (reason && QUOTA_REASONS.has(reason)) return 'quota';
  if (reason && RATE_REASONS.has(reason)) return 'rate_limited';
  if (status === undefined) {
    if (typeof grpcCode === 'number') return GRPC_KIND[grpcCode] ?? 'unknown';
    return typeof grpcCode === 'string' && /^E[A-Z]+/.test(grpcCode) ? 'unavailable' : 'unknown'; // ECONNRESET…
  }
  if (status === 400) return 'invalid';
  if (status === 401 || status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'unknown';
}

/** Any error from a Google client (gax GoogleError, fetch/network error) as a GcpError. */
export function toGcpError(e: unknown): GcpError {
  if (e instanceof GcpError) return e;
  const err = (e ?? {}) as { code?: unknown; httpStatusCode?: number; reason?: string; message?: string };
  const raw = rawError(e);
  const status = err.httpStatusCode ?? raw.code;
  const reason = raw.reason ?? err.reason;
  const message = raw.message ?? err.message ?? String(e);
  return new GcpError(kindFor(status, reason, err.code), message, { httpStatus: status, reason, cause: e });
}
