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
