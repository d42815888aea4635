import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;

/** Paths pino blanks wherever they appear in a log object: tokens, secrets, auth headers. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers["x-slack-signature"]',
  'headers["x-slack-signature"]',
  'config.slack.botToken',
  'config.slack.signingSecret',
  'config.slack.appToken',
];

/** Secret values themselves, scrubbed from any message or error text that slips past the paths. */
export function createLogger(opts: { level: string; pretty?: boolean; secrets?: string[]; destination?: DestinationStream }): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s && s.length >= 8);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[REDACTED]'), s);
  const transport = opts.pretty && !opts.destination && prettyAvailable() ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } : undefined;
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { service: 'demo-vm' },
      ...(secrets.length ? { hooks: { streamWrite: scrub } } : {}),
      // Cloud Logging reads `severity`; pino's numeric `level` stays for everything else.
      ...(transport ? { transport } : { formatters: { level: (label: string, level: number) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level }) } }),
    },
    opts.destination,
  );
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
