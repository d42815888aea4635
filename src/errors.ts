import { randomBytes } from 'node:crypto';

/**
 * Errors a user can fix carry the sentence that tells them how (shown as-is, ephemeral). Everything
 * else is turned into an apology with an error id in one place (platform/slack.ts), logged with that id.
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

export function apology(errorId: string): string {
  return `:warning: Sorry, something went wrong on our side. Nothing was changed. If it keeps happening, give an admin this error id: \`${errorId}\`.`;
}

const DB_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** The database is unreachable (down, restarting, network cut): a passing state the user can wait out. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    const message = (e as { message?: string }).message ?? '';
    if (code && DB_DOWN_CODES.has(code)) return true;
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(message)) return true;
  }
  return false;
}

/** What the user reads when something they cannot fix failed. */
export function failureMessage(err: unknown, errorId: string): string {
  if (isDatabaseUnavailable(err)) {
    return `:warning: demo-vm can't reach its database right now, so nothing was changed. Please try again in a minute. (error id \`${errorId}\`)`;
  }
  return apology(errorId);
}
