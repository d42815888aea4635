/**
 * Injectable failures, both ways real GCE fails: a request refused at once (HTTP error), or an
 * operation accepted that later ends DONE with `error.errors[].code`.
 */
import { regionOfZone } from '../../src/platform/compute/port.ts';
import { backendError, forbidden, GceHttpError, notFound, quotaExceeded, quotaOperationMessage, rateLimited, stockoutMessage } from './errors.ts';

/**
 * quota 403 quotaExceeded · rate_limited 429 · backend 503 backendError · permission 403 forbidden ·
 * not_found 404 · reset: the connection drops before anything happens · drop_response: the request
 * takes effect, then the connection drops (a client that "never heard back").
 */
export type FaultKind = 'quota' | 'rate_limited' | 'backend' | 'permission' | 'not_found' | 'reset' | 'drop_response';

export interface FaultSpec {
  /** GCE method (instances.insert, zoneOperations.wait, …) or '*' for any. */
  method: string;
  kind: FaultKind;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  /** Only requests in this zone. */
  zone?: string;
}

export interface OperationErrorSpec {
  method: string;
  code: 'ZONE_RESOURCE_POOL_EXHAUSTED' | 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS' | 'QUOTA_EXCEEDED' | (string & {});
  message?: string;
  zone?: string;
  times?: number;
}

export interface OperationFailure {
  code: string;
  message: string;
  httpStatus: number;
  httpMessage: string;
}

type Armed<T> = T & { left: number };

function matches(spec: { method: string; zone?: string }, method: string, zone: string | undefined): boolean {
  return (spec.method === '*' || spec.method === method) && (spec.zone === undefined || spec.zone === zone);
}

function take<T extends { method: string; zone?: string }>(list: Armed<T>[], method: string, zone: string | undefined): T | undefined {
  const i = list.findIndex((f) => matches(f, method, zone));
  if (i < 0) return undefined;
  const f = list[i]!;
  if (--f.left <= 0) list.splice(i, 1);
  return f;
}

export class Faults {
  #http: Armed<FaultSpec>[] = [];
  #ops: Armed<OperationErrorSpec>[] = [];

  inject(spec: FaultSpec): void {
    this.#http.push({ ...spec, left: spec.times ?? 1 });
  }
  injectOperationError(spec: OperationErrorSpec): void {
    this.#ops.push({ ...spec, left: spec.times ?? 1 });
  }
  clear(): void {
    this.#http = [];
    this.#ops = [];
  }
  takeHttp(method: string, zone: string | undefined): FaultSpec | undefined {
    return take(this.#http, method, zone);
  }
  takeOperationError(method: string, project: string, zone: string | undefined): OperationFailure | undefined {
    const spec = take(this.#ops, method, zone);
    if (!spec) return undefined;
    const where = zone ?? 'us-central1-a';
    if (spec.code.startsWith('ZONE_RESOURCE_POOL_EXHAUSTED')) {
      return { code: spec.code, message: spec.message ?? stockoutMessage(project, where), httpStatus: 503, httpMessage: 'SERVICE UNAVAILABLE' };
    }
    if (spec.code === 'QUOTA_EXCEEDED') {
      const region = regionOfZone(where);
      return { code: spec.code, message: spec.message ?? quotaOperationMessage(region), httpStatus: 403, httpMessage: 'FORBIDDEN' };
    }
    return { code: spec.code, message: spec.message ?? spec.code, httpStatus: 400, httpMessage: 'BAD REQUEST' };
  }
}

const VERB: Record<string, string> = { insert: 'create', aggregatedList: 'list', wait: 'get' };

/** The HTTP error a refused request gets, shaped like GCE's. */
export function faultError(kind: FaultKind, method: string, resourcePath: string, zone: string | undefined): GceHttpError {
  switch (kind) {
    case 'quota':
      return quotaExceeded('CPUS', 24, regionOfZone(zone ?? 'us-central1-a'));
    case 'rate_limited':
      return rateLimited();
    case 'permission': {
      const [family = '', verb = ''] = method.split('.');
      return forbidden(`compute.${family}.${VERB[verb] ?? verb}`, resourcePath);
    }
    case 'not_found':
      return notFound(resourcePath);
    default:
      return backendError();
  }
}
