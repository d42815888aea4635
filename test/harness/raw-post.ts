import { request } from 'node:http';

export interface RawAnswer {
  /** The HTTP status; 0 when the connection failed (see `error`); 'no answer' when none came in time. */
  status: number | 'no answer';
  /** The socket error's code, when the connection failed before an answer. */
  error?: string;
}

/**
 * A POST written by hand: headers, then all of `body` — or only its first `holdAfter` bytes, the
 * connection then held open until the answer (a client that trickles or never finishes). Never
 * hangs: a socket error resolves `{ status: 0, error }`, and no answer within `timeoutMs` resolves
 * `{ status: 'no answer' }`.
 */
export function rawPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer | string,
  opts: { holdAfter?: number; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const data = Buffer.from(body);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(answer);
    };
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      settle({ status: res.statusCode ?? 0 });
    });
    req.on('error', (err: NodeJS.ErrnoException) => settle({ status: 0, error: err.code ?? err.message }));
    const timer = setTimeout(() => settle({ status: 'no answer' }), opts.timeoutMs ?? 30_000);
    if (opts.holdAfter === undefined) {
      req.end(data);
    } else {
      req.flushHeaders();
      if (opts.holdAfter > 0) req.write(data.subarray(0, opts.holdAfter));
    }
  });
}
