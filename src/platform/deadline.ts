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

/**
 * A Slack look-up a person is waiting on (a launch, a command): the Web API client retries for minutes
 * when Slack is down or rate-limits, so past this the caller goes on without the answer.
 */
export const SLACK_LOOKUP_MS = 2_000;

/** The work's result within `ms`, else an error naming what did not answer. */
export async function answerWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  const res = await within(work, ms);
  if (res === TIMED_OUT) throw new Error(`${what} did not answer within ${ms} ms`);
  return res;
}
