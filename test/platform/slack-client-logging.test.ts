import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_TOKEN, FakeSlack } from '../../src/platform/fake-slack/index.ts';
import type { Logger } from '../../src/platform/log.ts';
import { createWebClient } from '../../src/platform/slack.ts';

const fake = new FakeSlack();
let apiUrl: string;
beforeAll(async () => void ({ apiUrl } = await fake.listen()));
afterAll(() => fake.close());

/** A logger at `level` that records what the Web API client asks it to log at debug. */
function recordingLogger(level: 'debug' | 'info'): { log: Logger; debugLines: string[] } {
  const debugLines: string[] = [];
  const order = ['debug', 'info', 'warn', 'error'];
  const logger = {
    child: () => logger,
    isLevelEnabled: (l: string) => order.indexOf(l) >= order.indexOf(level),
    debug: (msg: string) => void debugLines.push(msg),
    info: () => {},
    warn: () => {},
    error: () => {},
  };
  return { log: logger as unknown as Logger, debugLines };
}

describe('the Web API client and debug logging', () => {
  // scripts/patch-dependencies.mjs (postinstall): web-api built these lines, a deep copy and a JSON
  // serialisation of every request and response, whatever the log level.
  test('below debug, request bodies and results are never serialised for the log', async () => {
    const { log, debugLines } = recordingLogger('info');
    const web = createWebClient({ token: DEFAULT_TOKEN, apiUrl, retryConfig: { retries: 0 } }, log);
    await web.chat.postMessage({ channel: 'U_ALICE', text: 'hello' });
    expect(debugLines.some((l) => l.startsWith('http request body') || l.startsWith('http request result'))).toBe(false);
  });

  test('at debug they are logged, with the token blanked', async () => {
    const { log, debugLines } = recordingLogger('debug');
    const web = createWebClient({ token: DEFAULT_TOKEN, apiUrl, retryConfig: { retries: 0 } }, log);
    await web.chat.postMessage({ channel: 'U_ALICE', text: 'hello' });
    const body = debugLines.find((l) => l.startsWith('http request body'));
    expect(body).toContain('hello');
    expect(debugLines.find((l) => l.startsWith('http request headers'))).toContain('[[REDACTED]]');
    expect(debugLines.some((l) => l.startsWith('http request result'))).toBe(true);
    expect(debugLines.join('\n')).not.toContain(DEFAULT_TOKEN);
  });
});
