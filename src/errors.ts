import { randomBytes } from 'node:crypto';

/**
 * Errors a user can fix carry the sentence that tells them how (shown as-is, ephemeral). Everything
 * else becomes failureMessage() below, with an error id that is also in the log line (listeners:
 * platform/slack-errors.ts; modals: platform/modal-flow.ts; jobs that answer a user).
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Refused by the authorization policy. */
export class ForbiddenError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Short, speakable id a user can quote to an admin; the same id is in the log line. */
export function newErrorId(): string {
  return `E-${randomBytes(4).toString('hex').toUpperCase()}`;
}

const DB_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** The database is unreachable (down, restarting, network cut): a passing state the user can wait out. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    const message = (e as { message?: string }).message ?? '';
    if (code && DB_DOWN_CODES.has(code)) return true;
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(message))
      return true;
  }
  return false;
}

/**
 * What the user reads when something they cannot fix failed. It claims nothing about what was done:
 * the failure may come after a write committed.
 */
export function failureMessage(err: unknown, errorId: string): string {
  if (isDatabaseUnavailable(err)) {
    return `:warning: demo-vm can't reach its database right now. Please try again in a minute. (error id \`${errorId}\`)`;
  }
  return `:warning: Sorry, something went wrong on our side. If it keeps happening, give an admin this error id: \`${errorId}\`.`;
}
