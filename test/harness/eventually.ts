/**
 * Poll a condition driven by the app's background work (jobs). A throw counts as "not yet" (the row
 * or message may not exist yet); on timeout the last value or error is reported.
 */
export async function eventually<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean = Boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value?: T; error?: unknown } = {};
  for (;;) {
    try {
      const value = await fn();
      if (ok(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        'error' in last && last.error !== undefined
          ? `error: ${String((last.error as Error)?.message ?? last.error)}`
          : `value: ${JSON.stringify(last.value)?.slice(0, 500)}`;
      throw new Error(`condition not met in ${timeoutMs} ms; last ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
