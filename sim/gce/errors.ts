/**
 * GCE's error bodies: `{"error":{"code","message","errors":[{message,domain,reason}],"details"?}}`.
 * Messages follow what Compute Engine sends, so code and tests see the real wording.
 */

export interface ErrorInfoDetail {
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
  reason: string;
  domain: string;
  metadata?: Record<string, string>;
}

export class GceHttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly domain: string;
  readonly details?: ErrorInfoDetail[];
  constructor(status: number, reason: string, message: string, opts: { domain?: string; details?: ErrorInfoDetail[] } = {}) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.domain = opts.domain ?? 'global';
    this.details = opts.details;
  }
  toJSON(): unknown {
    const error: Record<string, unknown> = {
      code: this.status,
      message: this.message,
      errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
    };
    if (this.details) error.details = this.details;
    return { error };
  }
}

export const NAME_REGEX_TEXT = '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})';

export function invalidField(field: string, value: string, why: string): GceHttpError {
  return new GceHttpError(400, 'invalid', `Invalid value for field '${field}': '${value}'. ${why}`, {
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'INVALID_FIELD_VALUE',
        domain: 'compute.googleapis.com',
        metadata: { field, value, reason: why },
      },
    ],
  });
}

export function invalidName(field: string, value: string): GceHttpError {
  return invalidField(field, value, `Must be a match of regex '${NAME_REGEX_TEXT}'`);
}

export function required(field: string): GceHttpError {
  return new GceHttpError(400, 'required', `Required field '${field}' not specified`);
}

export function notFound(resourcePath: string): GceHttpError {
  return new GceHttpError(404, 'notFound', `The resource '${resourcePath}' was not found`);
}

export function alreadyExists(resourcePath: string): GceHttpError {
  return new GceHttpError(409, 'alreadyExists', `The resource '${resourcePath}' already exists`);
}

export function quotaExceeded(metric = 'CPUS', limit = 24, region = 'us-central1'): GceHttpError {
  const message = `Quota '${metric}' exceeded.  Limit: ${limit.toFixed(1)} in region ${region}.`;
  return new GceHttpError(403, 'quotaExceeded', message, {
    domain: 'usageLimits',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'QUOTA_EXCEEDED',
        domain: 'compute.googleapis.com',
        metadata: { quota_metric: metric, limit: String(limit), region },
      },
    ],
  });
}

export function rateLimited(): GceHttpError {
  return new GceHttpError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' });
}

export function backendError(): GceHttpError {
  return new GceHttpError(503, 'backendError', 'The service is currently unavailable.');
}

export function forbidden(permission: string, resourcePath: string): GceHttpError {
  return new GceHttpError(403, 'forbidden', `Required '${permission}' permission for '${resourcePath}'`);
}

/** Operation-level errors (the operation is accepted, then ends DONE with these). */
export function stockoutMessage(project: string, zone: string): string {
  return `The zone 'projects/${project}/zones/${zone}' does not have enough resources available to fulfill the request. Try a different zone, or try again later.`;
}

export function quotaOperationMessage(region: string): string {
  return `Quota 'CPUS' exceeded.  Limit: 24.0 in region ${region}.`;
}
