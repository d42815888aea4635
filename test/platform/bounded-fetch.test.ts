import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { boundedFetch } from '../../src/platform/bounded-fetch.ts';

// A server that answers by path, as Slack's Web API and response_urls would.
const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
let connections = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.url === '/api/chat.postMessage') return void res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'chat:write' }).end('{"ok":true,"ts":"1.2"}');
    if (req.url === '/rate-limited') return void res.writeHead(429, { 'retry-after': '3' }).end();
    if (req.url === '/no-content') return void res.writeHead(204).end();
    if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end();
    // '/silent': never answers
  });
});
server.on('connection', () => connections++);
let base: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('boundedFetch, the fetch for calls to Slack', () => {
  const slackFetch = boundedFetch(2_000);

  test('sends the method, headers and body, and answers with status, headers and body like fetch', async () => {
    const res = await slackFetch(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-1' },
      body: '{"channel":"C1","text":"héllo"}',
      redirect: 'error',
    });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-oauth-scopes')).toBe('chat:write');
    expect(await res.json()).toEqual({ ok: true, ts: '1.2' });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/api/chat.postMessage', body: '{"channel":"C1","text":"héllo"}' });
    expect(request.headers).toMatchObject({ authorization: 'Bearer xoxb-1', 'content-length': String(Buffer.byteLength('{"channel":"C1","text":"héllo"}')) });
  });

  test('a 429 comes back with its Retry-After, a 204 with no body', async () => {
    const limited = await slackFetch(`${base}/rate-limited`, { method: 'POST', body: '' });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    const empty = await slackFetch(`${base}/no-content`, { method: 'POST', body: '{}' });
    expect([empty.status, await empty.text()]).toEqual([204, '']);
  });

  test('finished calls leave no timer behind, and reuse one connection', async () => {
    const before = { timers: timers(), connections };
    for (let i = 0; i < 3; i++) await (await slackFetch(`${base}/api/chat.postMessage`, { method: 'POST', body: '{}' })).text();
    expect(timers()).toBe(before.timers);
    expect(connections - before.connections).toBeLessThanOrEqual(1);
  });

  test('a server that never answers is given up after the bound; so is a call its caller aborts', async () => {
    const t0 = performance.now();
    await expect(boundedFetch(150)(`${base}/silent`, { method: 'POST', body: '{}' })).rejects.toThrow(/no answer from .*\/silent within 150 ms/);
    expect(performance.now() - t0).toBeLessThan(1_500);
    const caller = new AbortController();
    const call = slackFetch(`${base}/silent`, { method: 'POST', body: '{}', signal: caller.signal });
    caller.abort(new Error('the user gave up'));
    await expect(call).rejects.toThrow('the user gave up');
  });

  test("a redirect is refused when the caller says redirect: 'error' (as web-api does)", async () => {
    await expect(slackFetch(`${base}/moved`, { method: 'POST', body: '{}', redirect: 'error' })).rejects.toThrow(/redirected \(302\)/);
  });
});
