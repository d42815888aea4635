import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '@slack/web-api';
import { DEFAULT_TOKEN, FakeSlack } from '../../sim/slack/index.ts';
import type { Logger } from '../../src/platform/log.ts';
import { createPosterClient, createWebClient, SlackPoster } from '../../src/platform/slack.ts';

const fake = new FakeSlack();
let apiUrl: string;
beforeAll(async () => void ({ apiUrl } = await fake.listen()));
afterAll(() => fake.close());

/** A logger at `level` that records what the Web API client logs at debug. */
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

describe('the Web API client', () => {
  test('its debug lines are logged with the token blanked', async () => {
    const { log, debugLines } = recordingLogger('debug');
    const web = createWebClient({ token: DEFAULT_TOKEN, apiUrl, retryConfig: { retries: 0 } }, log);
    await web.chat.postMessage({ channel: 'U_ALICE', text: 'hello' });
    expect(debugLines.find((l) => l.startsWith('http request body'))).toContain('hello');
    expect(debugLines.join('\n')).not.toContain(DEFAULT_TOKEN);
  });

  test('reads and updates are retried after a 5xx (safe to repeat)', async () => {
    const web = createWebClient({ token: DEFAULT_TOKEN, apiUrl, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } });
    const before = fake.callsTo('users.info').length;
    fake.failNext('users.info', { error: 'internal_error', status: 500 });
    await web.users.info({ user: 'U_ALICE' });
    expect(fake.callsTo('users.info').length - before).toBe(2);
  });
});

describe('posting (SlackPoster)', () => {
  const poster = () => new SlackPoster(createPosterClient({ token: DEFAULT_TOKEN, apiUrl }));

  test('a 429 is waited out (Retry-After) and the post sent again: one message', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    fake.failNext('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });
    const res = await poster().postMessage({ channel: 'U_ALICE', text: 'after a 429' });
    expect(res.ok).toBe(true);
    const [limited, sent] = fake.callsTo('chat.postMessage').slice(before);
    expect([limited?.status, sent?.status]).toEqual([429, 200]);
    // As Slack saw it: the second attempt came after the Retry-After second.
    expect(sent!.at.getTime() - limited!.at.getTime()).toBeGreaterThanOrEqual(1000);
    expect(fake.callsTo('chat.postMessage').length - before).toBe(2);
  });

  test('a 5xx is not retried: the post may have landed, so the caller decides', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    fake.failNext('chat.postMessage', { error: 'internal_error', status: 500 });
    await expect(poster().postMessage({ channel: 'U_ALICE', text: 'maybe posted' })).rejects.toMatchObject({ code: ErrorCode.HTTPError });
    expect(fake.callsTo('chat.postMessage').length - before).toBe(1);
  });

  test('after its last wait, a 429 comes back as the typed rate-limit error', async () => {
    fake.failNext('chat.postEphemeral', { error: 'ratelimited', status: 429, retryAfter: 1 }, 2);
    const once = new SlackPoster(createPosterClient({ token: DEFAULT_TOKEN, apiUrl }), { maxRateLimitWaits: 1 });
    await expect(once.postEphemeral({ channel: 'C_GENERAL', user: 'U_ALICE', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 1,
    });
  });
});
