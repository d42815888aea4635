/** Retrying GCE calls that failed for a passing reason: capped, jittered exponential backoff. */
import { GcpError } from './port.ts';

export interface RetryOptions {
  /** Tries in all, the first included (default 5). */
  attempts?: number;
  /** First backoff ceiling (default 500 ms); doubles per retry up to maxMs (default 20 s), full jitter. */
  baseMs?: number;
  maxMs?: number;
  signal?: AbortSignal;
  random?: () => number;
  onRetry?: (err: GcpError, attempt: number, delayMs: number) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full-jitter exponential backoff: a random delay below min(maxMs, baseMs · 2^attempt). */
export function backoffDelay(attempt: number, opts: { baseMs?: number; maxMs?: number; random?: () => number } = {}): number {
  const ceiling = Math.min(opts.maxMs ?? 20_000, (opts.baseMs ?? 500) * 2 ** attempt);
  return Math.floor((opts.random ?? Math.random)() * ceiling);
}

/**
 * Run `fn` again while it fails with a retryable GcpError (429, 5xx, network), with capped,
 * jittered backoff. For mutating calls, keep the same requestId across attempts so GCE does it once.
 */
export async function retryTransient<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof GcpError) || !e.retryable || attempt + 1 >= attempts || opts.signal?.aborted) throw e;
      const delay = backoffDelay(attempt, opts);
      opts.onRetry?.(e, attempt + 1, delay);
      await sleep(delay, opts.signal);
    }
  }
}
