import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
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

describe('request bodies', () => {
  // A bare HTTP server: what the client sends, as Slack would receive it.
  const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('Block Kit goes as JSON with the token in the header; other calls stay form-encoded', async () => {
    const web = createWebClient({ token: DEFAULT_TOKEN, apiUrl: url, retryConfig: { retries: 0 } });
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Catalog & more' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*crm-demo* — 100% ready' } }] };
    await web.views.open({ trigger_id: '123.456', view });
    await web.chat.postMessage({ channel: 'D1', text: 'hi', blocks: view.blocks });
    await web.chat.postMessage({ channel: 'D1', text: 'plain' });

    const [open, post, plain] = seen;
    expect(open!.path).toBe('/api/views.open');
    expect(open!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(open!.headers.authorization).toBe(`Bearer ${DEFAULT_TOKEN}`);
    expect(JSON.parse(open!.body)).toEqual({ trigger_id: '123.456', view });
    expect(open!.body).not.toContain(DEFAULT_TOKEN);
    expect(post!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(post!.body)).toMatchObject({ channel: 'D1', text: 'hi', blocks: view.blocks });
    expect(plain!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(plain!.body))).toMatchObject({ channel: 'D1', text: 'plain' });
  });
});
