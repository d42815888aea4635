import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;

/** Keys whose values never reach a log line, at any depth (compared in lower case). */
const SECRET_KEYS = new Set(['token', 'bottoken', 'apptoken', 'signingsecret', 'clientsecret', 'statesecret', 'password', 'authorization', 'x-slack-signature']);
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
    copy ??= Array.isArray(value) ? [...(value as unknown[])] as unknown as Record<string, unknown> : { ...value };
    copy[key] = replaced;
  }
  return (copy ?? value) as T;
}

/** Secret values themselves are also scrubbed from any message or error text that slips past the key check. */
export function createLogger(opts: { level: string; pretty?: boolean; secrets?: string[]; destination?: DestinationStream }): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s && s.length >= 8);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[REDACTED]'), s);
  const transport = opts.pretty && !opts.destination && prettyAvailable() ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } : undefined;
  const logger = pino(
    {
      level: opts.level,
      serializers: { err: (err: unknown) => (err instanceof Error ? censorSecrets(pino.stdSerializers.err(err)) : err) },
      base: { service: 'demo-vm' },
      ...(secrets.length ? { hooks: { streamWrite: scrub } } : {}),
      formatters: {
        log: censorSecrets,
        // Cloud Logging reads `severity`; pino's numeric `level` stays for everything else.
        ...(transport ? {} : { level: (label: string, level: number) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level }) }),
      },
      ...(transport ? { transport } : {}),
    },
    opts.destination,
  );
  // A child's bindings skip the formatters (pino resets them for children); every descendant is made
  // from this instance, so blanking them here covers all.
  const child = logger.child; // called below with each instance as `this`
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, censorSecrets(bindings), options);
  } as Logger['child'];
  return logger;
}

const SEVERITY: Record<string, string> = { trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' };

/** pino-pretty is a development dependency: a production image falls back to JSON. */
function prettyAvailable(): boolean {
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Cloud Logging's trace fields for a request's log lines, from `X-Cloud-Trace-Context:
 * TRACE/SPAN;o=1` (or W3C `traceparent`); none without such a header.
 */
export function traceFields(headers: Record<string, string | string[] | undefined> | undefined, project: string): Record<string, string | boolean> {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const cloud = first(headers?.['x-cloud-trace-context'])?.match(/^([0-9a-f]{32})(?:\/(\d+))?(?:;o=([01]))?/i);
  if (cloud) return { 'logging.googleapis.com/trace': `projects/${project}/traces/${cloud[1]}`, ...(cloud[2] ? { 'logging.googleapis.com/spanId': cloud[2] } : {}), 'logging.googleapis.com/trace_sampled': cloud[3] === '1' };
  const w3c = first(headers?.['traceparent'])?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/i);
  if (w3c) return { 'logging.googleapis.com/trace': `projects/${project}/traces/${w3c[1]}`, 'logging.googleapis.com/spanId': w3c[2]!, 'logging.googleapis.com/trace_sampled': (parseInt(w3c[3]!, 16) & 1) === 1 };
  return {};
}
