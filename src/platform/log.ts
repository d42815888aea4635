import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import packageJson from '../../package.json' with { type: 'json' };

export type Logger = PinoLogger;

/** Keys whose values never reach a log line, at any depth (compared in lower case). */
const SECRET_KEYS = new Set([
  'token',
  'bottoken',
  'apptoken',
  'signingsecret',
  'clientsecret',
  'statesecret',
  'password',
  'authorization',
  'x-slack-signature',
]);
const CENSOR = '[REDACTED]';
const MAX_DEPTH = 6;

function walkable(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/**
 * A log object with the values of secret-named keys blanked, at any depth: the object itself when
 * there is nothing to blank (the usual case, and cheap: a look at each key), else a copy. Plain
 * objects, arrays and errors (their serialized form, which keeps message and stack) are searched;
 * anything else is left to its serializer. (pino's own `redact` option parsed its whole path list
 * again on every call: a third of what the request path allocated.)
 */
export function censorSecrets<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (value instanceof Error) {
    const serialized = { ...pino.stdSerializers.err(value) };
    const censored = censorSecrets(serialized, depth);
    return (censored === serialized ? value : censored) as T;
  }
  if (!walkable(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const inner = value[key];
    const replaced = SECRET_KEYS.has(key.toLowerCase()) && inner !== undefined && inner !== null ? CENSOR : censorSecrets(inner, depth + 1);
    if (replaced === inner) continue;
    copy ??= Array.isArray(value) ? ([...(value as unknown[])] as unknown as Record<string, unknown>) : { ...value };
    copy[key] = replaced;
  }
  return (copy ?? value) as T;
}

/** Where pino writes a line's message: Cloud Logging shows `message` as the entry's summary. */
export const MESSAGE_KEY = 'message';

/** Cloud Logging's severity for each pino level (https://cloud.google.com/logging/docs/structured-logging). */
const SEVERITY: Record<string, string> = { trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' };
const ERROR_LEVEL = 50; // pino's `error`

/**
 * Read once at start. A JSON import (not the npm_package_version variable, which only `npm run`
 * sets) works the same from the sources, the Docker image (package.json beside src/) and a tsc build.
 */
const SERVICE_CONTEXT = Object.freeze({ service: 'demo-vm', version: packageJson.version });

const NO_FIELDS = Object.freeze({});

/**
 * An error logged at ERROR or above also carries its stack as `stack_trace`, the field Error
 * Reporting reads first; `err` stays, serialised, for its type and other properties. Below ERROR
 * (a retried job attempt, a warning) there is no `stack_trace`, so those are not reported as errors.
 */
function errorReportingFields(obj: object, level: number): object {
  if (level < ERROR_LEVEL) return NO_FIELDS;
  const err = (obj as { err?: unknown }).err;
  const stack = err !== null && typeof err === 'object' ? (err as { stack?: unknown }).stack : undefined;
  return typeof stack === 'string' ? { stack_trace: stack } : NO_FIELDS;
}

/**
 * The app's logger: one JSON object a line in the shape Cloud Logging (GKE's agent) reads —
 * `message`, `severity`, `time` (RFC 3339), `serviceContext`, and `stack_trace` for errors — made with
 * pino's own options, not a Google logging package (the web role loads none). pino's numeric `level`
 * stays beside `severity` for tools that read pino lines. With `pretty` (a developer's terminal) the
 * same lines go through pino-pretty when it is installed.
 *
 * Secrets: values under secret-named keys are blanked in every log object (formatters.log), and the
 * secret values themselves are also scrubbed from each finished line, message and stack included.
 * Child bindings do not pass through pino's formatters (pino resets `formatters.bindings` for every
 * child, and `onChild` only sees a child whose bindings are already serialised): make children whose
 * bindings come from data with childLogger(), which censors them first.
 */
export function createLogger(opts: { level: string; pretty?: boolean; secrets?: string[]; destination?: DestinationStream }): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s && s.length >= 8);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join(CENSOR), s);
  const transport =
    opts.pretty && !opts.destination && prettyAvailable()
      ? {
          target: 'pino-pretty',
          options: { colorize: true, translateTime: 'HH:MM:ss.l', messageKey: MESSAGE_KEY, ignore: 'pid,hostname,severity,serviceContext,stack_trace' },
        }
      : undefined;
  return pino(
    {
      level: opts.level,
      messageKey: MESSAGE_KEY,
      serializers: { err: (err: unknown) => (err instanceof Error ? censorSecrets(pino.stdSerializers.err(err)) : err) },
      base: { serviceContext: SERVICE_CONTEXT },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Only an error-level line gets a merged copy; every other line is passed through as it is.
      mixin: (obj: object, level: number) => errorReportingFields(obj, level),
      mixinMergeStrategy: (obj: object, fields: object) => (fields === NO_FIELDS ? obj : { ...obj, ...fields }),
      ...(secrets.length ? { hooks: { streamWrite: scrub } } : {}),
      formatters: {
        log: censorSecrets,
        level: (label: string, level: number) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level }),
      },
      ...(transport ? { transport } : {}),
    },
    opts.destination,
  );
}

/**
 * A child logger whose bindings (request, job, user ids…) have secret-named values blanked like any
 * log object. Use it wherever bindings come from data rather than literals.
 */
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger {
  return log.child(censorSecrets(bindings));
}

/**
 * Cloud Logging's trace fields for a request's log lines, from its W3C `traceparent` header
 * (preferred) or Google's `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` (span id in decimal there,
 * written in the 16-digit hex Cloud Logging expects). Header names are matched in any case. No
 * project, no header or a malformed one: no fields. Pure; the request middleware binds the result
 * into the request's child logger.
 */
export function traceFields(headers: Record<string, string | string[] | undefined>, project: string | undefined): Record<string, string | boolean> {
  if (!project) return {};
  const context = fromTraceparent(header(headers, 'traceparent')) ?? fromCloudTraceContext(header(headers, 'x-cloud-trace-context'));
  if (!context) return {};
  return {
    'logging.googleapis.com/trace': `projects/${project}/traces/${context.traceId}`,
    ...(context.spanId ? { 'logging.googleapis.com/spanId': context.spanId } : {}),
    'logging.googleapis.com/trace_sampled': context.sampled,
  };
}

interface TraceContext {
  traceId: string;
  spanId?: string;
  sampled: boolean;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

const ZEROS = /^0+$/;

/** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`; all-zero ids are invalid (W3C Trace Context). */
function fromTraceparent(value: string | undefined): TraceContext | undefined {
  const m = value && /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/.exec(value.trim().toLowerCase());
  if (!m || m[1] === 'ff' || ZEROS.test(m[2]!) || ZEROS.test(m[3]!)) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

/** `TRACE_ID[/SPAN_ID][;o=OPTIONS]`, the span id an unsigned 64-bit decimal number. */
function fromCloudTraceContext(value: string | undefined): TraceContext | undefined {
  const m = value && /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=(\d+))?$/.exec(value.trim());
  if (!m || ZEROS.test(m[1]!)) return undefined;
  const span = m[2] === undefined ? undefined : BigInt(m[2]);
  const spanId = span !== undefined && span > 0n && span < 2n ** 64n ? span.toString(16).padStart(16, '0') : undefined;
  return { traceId: m[1]!.toLowerCase(), spanId, sampled: m[3] === '1' };
}

/** pino-pretty is a development dependency: a production image falls back to JSON. */
function prettyAvailable(): boolean {
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
