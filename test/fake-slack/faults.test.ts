import { once } from 'node:events';
import { ErrorCode, LogLevel, WebClient, WebClientEvent, type Logger, type WebAPIRateLimitedError } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_TOKEN, FakeSlack } from '../../sim/slack/index.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
const fake = new FakeSlack();

beforeAll(() => fake.listen());
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function client(opts: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(DEFAULT_TOKEN, { slackApiUrl: fake.apiUrl, logger: quiet, ...opts });
}

describe('injected failures', () => {
  test('429 + Retry-After: WebClient waits the advertised time, retries and succeeds', async () => {
    fake.failNext('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });
    const web = client({ retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 10 } });
    const advertised: number[] = [];
    web.on(WebClientEvent.RATE_LIMITED, (sec: number) => advertised.push(sec));
    const res = await web.chat.postMessage({ channel: 'C_DEMOS', text: 'after the storm' });
    expect(res.ok).toBe(true);
    const [limited, retried] = fake.callsTo('chat.postMessage');
    expect(limited?.status).toBe(429);
    expect(limited?.response).toEqual({ ok: false, error: 'ratelimited' });
    expect(retried?.status).toBe(200);
    expect(advertised).toEqual([1]);
    // Honoured: the retry came no sooner than Retry-After (1 s) after the refused call.
    expect((retried?.at.getTime() ?? 0) - (limited?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(950);
    expect(fake.messages('C_DEMOS')).toHaveLength(1);
  });

  test('500 internal_error N times, then success', async () => {
    fake.failNext('chat.update', { error: 'internal_error', status: 500 }, 2);
    const web = client({ retryConfig: { retries: 3, minTimeout: 1, maxTimeout: 1 } });
    const posted = await web.chat.postMessage({ channel: 'C_DEMOS', text: 'v1' });
    await web.chat.update({ channel: 'C_DEMOS', ts: posted.ts ?? '', text: 'v2' });
    expect(fake.callsTo('chat.update').map((c) => c.status)).toEqual([500, 500, 200]);
    expect(fake.message('C_DEMOS', posted.ts ?? '')?.text).toBe('v2');
  });

  test('a 200 with a Slack error (e.g. channel_not_found) once, for any method with "*"', async () => {
    fake.failNext('*', { error: 'fatal_error' });
    const web = client({ retryConfig: { retries: 0 } });
    await expect(web.auth.test()).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'fatal_error' } });
    await expect(web.auth.test()).resolves.toMatchObject({ ok: true });
  });

  test('global rate-limit mode answers 429 once a method is over its limit', async () => {
    fake.rateLimit({ limit: 2, windowMs: 60_000, retryAfter: 7 });
    const web = client({ rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    await web.users.info({ user: 'U_ALICE' });
    await web.users.info({ user: 'U_BOB' });
    const error = (await web.users.info({ user: 'U_ADMIN' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(error.code).toBe(ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(7);
    await expect(web.auth.test()).resolves.toMatchObject({ ok: true });
    fake.rateLimit(null);
    await expect(web.users.info({ user: 'U_ADMIN' })).resolves.toMatchObject({ ok: true });
  });
});

describe('waitFor', () => {
  test('resolves on the matching call as it happens, and on past calls', async () => {
    const web = client({ retryConfig: { retries: 0 } });
    const waiting = fake.waitFor('chat.postMessage', (c) => c.args['text'] === 'second');
    await web.chat.postMessage({ channel: 'C_DEMOS', text: 'first' });
    await web.chat.postMessage({ channel: 'C_DEMOS', text: 'second' });
    await expect(waiting).resolves.toMatchObject({ method: 'chat.postMessage', args: { text: 'second' } });
    await expect(fake.waitFor('chat.postMessage')).resolves.toMatchObject({ args: { text: 'first' } });
    await expect(fake.waitFor('chat.postMessage', undefined, { after: fake.mark(), timeoutMs: 30 })).rejects.toThrow(
      /no matching chat.postMessage call within 30 ms/,
    );
  });
});

describe('hang mode', () => {
  test('a call with a short timeout fails, and close() still returns promptly', async () => {
    const hanging = new FakeSlack();
    const { apiUrl } = await hanging.listen();
    hanging.hang = true;
    const held: string[] = [];
    hanging.events.on('request_held', (url) => held.push(url));
    const web = new WebClient(DEFAULT_TOKEN, { slackApiUrl: apiUrl, timeout: 200, retryConfig: { retries: 0 }, logger: quiet });
    await expect(web.auth.test()).rejects.toMatchObject({ code: ErrorCode.RequestError });
    // The client gave up on its one held request (no retry reached the fake).
    expect(held).toEqual(['/api/auth.test']);
    const pending = fetch(`${apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${DEFAULT_TOKEN}` } });
    await once(hanging.events, 'request_held');
    expect(hanging.heldRequests).toBeGreaterThanOrEqual(1);
    // close() destroys held connections instead of waiting for them (the test would time out).
    await hanging.close();
    expect(hanging.heldRequests).toBe(0);
    await expect(pending).rejects.toThrow();
  });

  test('turning hang off answers the held requests', async () => {
    const web = client({ retryConfig: { retries: 0 } });
    fake.hang = true;
    const held = once(fake.events, 'request_held');
    const call = web.chat.postMessage({ channel: 'C_DEMOS', text: 'late' });
    await held;
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    fake.hang = false;
    await expect(call).resolves.toMatchObject({ ok: true });
    expect(fake.messages('C_DEMOS').map((m) => m.text)).toEqual(['late']);
  });
});
