import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { Logger } from './log.ts';

/** The HTTP request a piece of work belongs to, wherever it runs (timers, promises it started). */
interface RequestScope {
  requestId: string;
  response: ServerResponse;
  /** What a listener threw, as the app's error handler saw it. */
  failure?: unknown;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs fn as part of one HTTP request: a failure nobody catches is then traced back to it. */
export function inRequest<T>(requestId: string, response: ServerResponse, fn: () => T): T {
  return scope.run({ requestId, response }, fn);
}

/** Called by the app's error handler: the receiver then answers 500 at once if nothing acked. */
export function noteRequestFailure(err: unknown): void {
  const current = scope.getStore();
  if (current) current.failure ??= err;
}

/** The failure a listener of the current request reported, if any. */
export function requestFailure(): unknown {
  return scope.getStore()?.failure;
}

/**
 * The process-level safety net, installed once start-up has succeeded (a failure during start-up
 * still stops the process). An error nobody caught while serving a request is logged with the
 * request's id and that request is answered 500; the process keeps serving the others. Outside a
 * request (a timer of ours, a library's background work) it is a bug we cannot place: log it and
 * exit, so the orchestrator restarts a clean process.
 */
export function installSafetyNet(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onFailure = (kind: string) => (err: unknown) => {
    const current = scope.getStore();
    if (!current) {
      log.fatal({ err, kind }, `${kind} outside any request: stopping`);
      exit(1);
      return;
    }
    log.error({ err, kind, requestId: current.requestId }, `${kind} while serving a request`);
    if (!current.response.headersSent) {
      current.response.writeHead(500);
      current.response.end();
    }
  };
  const onRejection = onFailure('unhandled rejection');
  const onException = onFailure('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
