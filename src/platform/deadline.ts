/** Returned by `within` when the work did not settle in time. */
export const TIMED_OUT = Symbol('timed out');

/**
 * The work's result if it settles within `ms`, else TIMED_OUT. A rejection within the window rejects;
 * the work goes on past the deadline, and a late rejection is dropped (nobody is waiting for it).
 */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([work, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
