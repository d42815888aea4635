import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { censorSecrets, createLogger } from '../../src/platform/log.ts';

const SECRET = 'xoxb-1234-secret-token-value';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

describe('censorSecrets', () => {
  test('hands back the very same object when nothing is secret', () => {
    const obj = { requestId: 'r1', kind: 'command', nested: { a: [1, { b: 'c' }] } };
    expect(censorSecrets(obj)).toBe(obj);
  });

  test('blanks secret-named keys at any depth and in arrays, in a copy', () => {
    const obj = { config: { slack: { botToken: SECRET, signingSecret: SECRET, apiUrl: 'https://slack.com/api/' } }, headers: [{ Authorization: `Bearer ${SECRET}` }], password: SECRET, keep: 'me' };
    const out = censorSecrets(obj);
    expect(out).toEqual({ config: { slack: { botToken: '[REDACTED]', signingSecret: '[REDACTED]', apiUrl: 'https://slack.com/api/' } }, headers: [{ Authorization: '[REDACTED]' }], password: '[REDACTED]', keep: 'me' });
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
    const { lines, log } = capture();
    log.child({ component: 'jobs' }).child({ jobId: 'j1', password: SECRET }).info('nested');
    log.child({ requestId: 'r1', token: SECRET }).info({ config: { slack: { botToken: SECRET } }, userId: 'U1' }, 'hello');
    log.error({ err: Object.assign(new Error('boom'), { headers: { Authorization: SECRET } }) }, 'failed');
    const [nested, hello, failed] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(nested).toMatchObject({ msg: 'nested', component: 'jobs', jobId: 'j1', password: '[REDACTED]' });
    expect(hello).toMatchObject({ msg: 'hello', requestId: 'r1', token: '[REDACTED]', userId: 'U1', config: { slack: { botToken: '[REDACTED]' } }, severity: 'INFO' });
    expect(failed!['err']).toMatchObject({ type: 'Error', message: 'boom', headers: { Authorization: '[REDACTED]' } });
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
