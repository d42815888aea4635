import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify, stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { censorSecrets, childLogger, createLogger, traceFields } from '../../src/platform/log.ts';

const SECRET = 'xoxb-1234-secret-token-value';

function capture(secrets?: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination, secrets }), parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('censorSecrets', () => {
  test('hands back the very same object when nothing is secret', () => {
    const obj = { requestId: 'r1', kind: 'command', nested: { a: [1, { b: 'c' }] } };
    expect(censorSecrets(obj)).toBe(obj);
  });

  test('blanks secret-named keys at any depth and in arrays, in a copy', () => {
    const obj = {
      config: { slack: { botToken: SECRET, signingSecret: SECRET, apiUrl: 'https://slack.com/api/' } },
      headers: [{ Authorization: `Bearer ${SECRET}` }],
      password: SECRET,
      keep: 'me',
    };
    const out = censorSecrets(obj);
    expect(out).toEqual({
      config: { slack: { botToken: '[REDACTED]', signingSecret: '[REDACTED]', apiUrl: 'https://slack.com/api/' } },
      headers: [{ Authorization: '[REDACTED]' }],
      password: '[REDACTED]',
      keep: 'me',
    });
    expect(obj.config.slack.botToken).toBe(SECRET); // the caller's object is untouched
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  test('an error carrying a secret becomes its serialized form, message and stack kept', () => {
    const err = Object.assign(new Error('Slack said no'), { config: { headers: { authorization: `Bearer ${SECRET}` } } });
    const out = censorSecrets({ err }).err as unknown as Record<string, unknown>;
    expect(out['message']).toBe('Slack said no');
    expect(String(out['stack'])).toContain('Slack said no');
    expect(JSON.stringify(out)).not.toContain(SECRET);
    const harmless = new Error('plain');
    expect(censorSecrets({ err: harmless }).err).toBe(harmless);
  });
});

describe('the app logger', () => {
  test('log objects, child bindings and errors reach the stream without secrets', () => {
    const { lines, log, parsed } = capture();
    childLogger(childLogger(log, { component: 'jobs' }), { jobId: 'j1', password: SECRET }).info('nested');
    childLogger(log, { requestId: 'r1', token: SECRET }).info({ config: { slack: { botToken: SECRET } }, userId: 'U1' }, 'hello');
    log.error({ err: Object.assign(new Error('boom'), { headers: { Authorization: SECRET } }) }, 'failed');
    const [nested, hello, failed] = parsed();
    expect(nested).toMatchObject({ message: 'nested', component: 'jobs', jobId: 'j1', password: '[REDACTED]' });
    expect(hello).toMatchObject({
      message: 'hello',
      requestId: 'r1',
      token: '[REDACTED]',
      userId: 'U1',
      config: { slack: { botToken: '[REDACTED]' } },
      severity: 'INFO',
    });
    expect(failed!['err']).toMatchObject({ type: 'Error', message: 'boom', headers: { Authorization: '[REDACTED]' } });
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  test('secret values are scrubbed from whatever slips past the key check: plain child bindings, messages, stacks', () => {
    const { lines, log, parsed } = capture([SECRET]);
    log.child({ note: `made with ${SECRET}` }).error({ err: new Error(`Slack refused ${SECRET}`) }, `calling with ${SECRET}`);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(parsed()[0]).toMatchObject({
      note: 'made with [REDACTED]',
      message: 'calling with [REDACTED]',
      stack_trace: expect.stringContaining('Slack refused [REDACTED]'),
    });
  });
});

describe('Cloud Logging fields', () => {
  const CLOUD_TRACE = '105445aa7843bc8bf206b12000100000/1;o=1';

  test('an ERROR line: message, severity, stack_trace for Error Reporting, serviceContext, RFC 3339 time, and the request trace', () => {
    const { log, parsed } = capture();
    const request = childLogger(log, { requestId: 'r1', ...traceFields({ 'x-cloud-trace-context': CLOUD_TRACE }, 'demo-prod') });
    const err = new Error('GCE said no');
    request.error({ err, errorId: 'E1' }, 'request failed');
    const [line] = parsed();
    expect(line).toMatchObject({
      message: 'request failed',
      severity: 'ERROR',
      level: 50,
      serviceContext: { service: 'demo-vm', version: packageJson.version },
      'logging.googleapis.com/trace': 'projects/demo-prod/traces/105445aa7843bc8bf206b12000100000',
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': true,
      requestId: 'r1',
      errorId: 'E1',
      err: { type: 'Error', message: 'GCE said no' },
    });
    expect(line!['stack_trace']).toBe(err.stack);
    expect(String(line!['stack_trace'])).toMatch(/^Error: GCE said no\n\s+at /);
    expect(new Date(String(line!['time'])).toISOString()).toBe(line!['time']);
    expect(line).not.toHaveProperty('msg');
  });

  test('an error logged on its own is its message; each level has its severity; only ERROR and above carry stack_trace', () => {
    const { log, parsed } = capture();
    log.level = 'trace';
    log.fatal(new Error('cannot start'));
    for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) log[level]({ err: new Error(level) }, `at ${level}`);
    const lines = parsed();
    expect(lines[0]).toMatchObject({ message: 'cannot start', severity: 'CRITICAL', stack_trace: expect.stringContaining('Error: cannot start') });
    expect(lines.slice(1).map((l) => [l['severity'], 'stack_trace' in l])).toEqual([
      ['DEBUG', false],
      ['DEBUG', false],
      ['INFO', false],
      ['WARNING', false],
      ['ERROR', true],
    ]);
  });

  test('pretty mode (a developer terminal) still prints readable lines through pino-pretty', async () => {
    const script = `const { createLogger } = await import(${JSON.stringify(new URL('../../src/platform/log.ts', import.meta.url).href)});
      const log = createLogger({ level: 'info', pretty: true });
      log.info({ demoId: 'd1' }, 'hello pretty');
      log.error({ err: new Error('pretty boom') }, 'it failed');`;
    const { stdout: colored } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const stdout = stripVTControlCharacters(colored);
    expect(stdout).toMatch(/INFO.*hello pretty/);
    expect(stdout).toContain('demoId: "d1"');
    expect(stdout).toMatch(/ERROR.*it failed/);
    expect(stdout).toContain('pretty boom');
    expect(stdout).not.toContain('serviceContext');
    expect(stdout).not.toMatch(/^\{/m); // no raw JSON lines
  });
});

describe('traceFields', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  test('X-Cloud-Trace-Context: the trace, the decimal span id in 16-digit hex, the sampling flag', () => {
    expect(traceFields({ 'x-cloud-trace-context': `${TRACE}/12345678901234567890;o=1` }, 'p1')).toEqual({
      'logging.googleapis.com/trace': `projects/p1/traces/${TRACE}`,
      'logging.googleapis.com/spanId': 'ab54a98ceb1f0ad2',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(traceFields({ 'X-Cloud-Trace-Context': `${TRACE.toUpperCase()}/255;o=0` }, 'p1')).toEqual({
      'logging.googleapis.com/trace': `projects/p1/traces/${TRACE}`,
      'logging.googleapis.com/spanId': '00000000000000ff',
      'logging.googleapis.com/trace_sampled': false,
    });
    expect(traceFields({ 'x-cloud-trace-context': TRACE }, 'p1')).toEqual({
      'logging.googleapis.com/trace': `projects/p1/traces/${TRACE}`,
      'logging.googleapis.com/trace_sampled': false,
    });
  });

  test('W3C traceparent, preferred when both are present', () => {
    const traceparent = `00-${TRACE}-00f067aa0ba902b7-01`;
    const expected = {
      'logging.googleapis.com/trace': `projects/p1/traces/${TRACE}`,
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': true,
    };
    expect(traceFields({ traceparent }, 'p1')).toEqual(expected);
    expect(traceFields({ traceparent, 'x-cloud-trace-context': `${'1'.repeat(32)}/1;o=0` }, 'p1')).toEqual(expected);
    expect(traceFields({ traceparent: [`00-${TRACE}-00f067aa0ba902b7-00`] }, 'p1')['logging.googleapis.com/trace_sampled']).toBe(false);
  });

  test('no header, no project, or a malformed header: no fields', () => {
    expect(traceFields({}, 'p1')).toEqual({});
    expect(traceFields({ 'x-cloud-trace-context': `${TRACE}/1;o=1` }, undefined)).toEqual({});
    for (const bad of ['nonsense', `${TRACE.slice(2)}/1`, `${'0'.repeat(32)}/1;o=1`, `${TRACE}/abc`])
      expect(traceFields({ 'x-cloud-trace-context': bad }, 'p1')).toEqual({});
    for (const bad of [
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `ff-${TRACE}-00f067aa0ba902b7-01`,
      `00-${TRACE}-00f067aa0ba902b7`,
    ])
      expect(traceFields({ traceparent: bad }, 'p1')).toEqual({});
  });
});
