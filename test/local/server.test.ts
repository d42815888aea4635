import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Snapshot } from '../../sim/workspace/snapshot.ts';
import { startLocalApp, type LocalApp } from './harness.ts';
import { nonLoopbackAddresses, tryConnect } from './net.ts';

/** The local workspace's HTTP side, without a browser: what it serves and what it refuses. */
describe('local workspace server', () => {
  let t: LocalApp;
  let base: string;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/local/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  /** fetch() will not send another Host header; a plain HTTP request will, as a rebound browser does. */
  const postWithHost = (path: string, host: string) =>
    new Promise<{ status: number; body: { error?: string } }>((resolve, reject) => {
      const req = request(`${base}/local/api/${path}`, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { error?: string } }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ user: 'U_ALICE', channel: 'C_DEMOS', text: '/demo help' }));
    });
  const state = async (user = 'U_ALICE') => (await (await fetch(`${base}/local/api/state?user=${user}`)).json()) as Snapshot;

  beforeAll(async () => {
    t = await startLocalApp();
    base = t.local.url.replace(/\/$/, '');
  });
  afterAll(async () => t?.close());

  test('listens on loopback by default', () => {
    expect(new URL(base).hostname).toBe('127.0.0.1');
  });

  test('a slash command travels the signed path and its ack shows as an ephemeral', async () => {
    const res = await post('command', { user: 'U_ALICE', channel: 'C_DEMOS', text: '/demo help' });
    expect(await res.json()).toEqual({ ok: true });
    const snap = await state();
    expect(snap.ephemerals.at(-1)?.text).toContain('/demo browse');
    expect((await state('U_BOB')).ephemerals).toEqual([]);
    // Bolt verified the signature: a request it could not verify would have been a 401, not an ack.
    expect(t.local.fake.callsTo('auth.test').length).toBeGreaterThan(0);
  });

  test('only /demo is installed', async () => {
    const res = await post('command', { user: 'U_ALICE', channel: 'C_DEMOS', text: '/deploy prod' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ ok: false, error: expect.stringContaining('/deploy is not a valid command') });
  });

  test('changes are pushed as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/local/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toMatch(/event: changed\ndata: \d+/);
    await post('message', { user: 'U_BOB', channel: 'C_GENERAL', text: 'hello from Bob' });
    let seen = '';
    while (!seen.includes('event: changed')) seen += (await reader.read()).value ?? '';
    controller.abort();
    const general = (await state('U_ALICE')).messages['C_GENERAL'] ?? [];
    expect(general.map((m) => m.text)).toContain('hello from Bob');
  });

  test('the page scripts are served as JavaScript, with a strict content security policy', async () => {
    const res = await fetch(`${base}/local/static/app.ts`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const js = await res.text();
    expect(js).not.toMatch(/import type|: Snapshot\b/);
    expect(js).toContain("from './api.ts'");
    expect((await fetch(`${base}/local/static/..%2Fstart.ts`)).status).toBe(404);
    expect((await fetch(`${base}/local/static/missing.ts`)).status).toBe(404);
  });

  test.each([
    ['another site posting to it (CSRF)', { origin: 'http://evil.example' }, /origin/],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }, /cross-site/],
    ['a form post (no JSON)', { 'content-type': 'text/plain' }, /JSON/],
  ])('refuses %s', async (_name, headers, error) => {
    const res = await post('command', { user: 'U_ALICE', channel: 'C_DEMOS', text: '/demo help' }, headers);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(error);
  });

  test('refuses a DNS-rebound host name', async () => {
    const res = await postWithHost('command', 'evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/not this page's address/);
    expect((await postWithHost('command', `localhost:${new URL(base).port}`)).status).toBe(200);
  });

  test.each(['127.0.0.1.evil.example', 'localhost.evil.example', '127.evil.example', '0.0.0.0'])(
    'a Host that only begins like this machine (%s:PORT) is refused, reads included; the exact names are not',
    async (name) => {
      const port = new URL(base).port;
      expect((await postWithHost('command', `${name}:${port}`)).status).toBe(403);
      const read = await new Promise<number>((resolve, reject) =>
        request(`${base}/local/api/state?user=U_ALICE`, { headers: { host: `${name}:${port}` } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
      expect(read).toBe(403);
      expect((await postWithHost('command', `127.0.0.1:${Number(port) + 1}`)).status).toBe(403);
      expect((await postWithHost('command', `[::1]:${port}`)).status).toBe(200);
      const res = await post('command', { user: 'U_ALICE', channel: 'C_DEMOS', text: '/demo help' }, { origin: `http://${name}:${port}` });
      expect(res.status).toBe(403);
    },
  );

  test('says what is wrong with a bad request, and a stale surface is a conflict', async () => {
    expect((await post('command', { user: 'U_NOBODY', channel: 'C_DEMOS', text: '/demo' })).status).toBe(400);
    expect((await post('action', { user: 'U_ALICE' })).status).toBe(400);
    const stale = await post('submit', { user: 'U_ALICE', viewId: 'V_GONE', state: [] });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: string }).error).toBe('That view is no longer open.');
  });

  test('the close button pops one view of the stack; ✕ closes them all', async () => {
    const { fake, app } = t.local;
    const modal = (title: string) => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: [] });
    const open = async (push: boolean, title: string) => {
      const trigger_id = fake.issueTriggerId('U_MANAGER');
      return push ? app.ctx.slack.views.push({ trigger_id, view: modal(title) }) : app.ctx.slack.views.open({ trigger_id, view: modal(title) });
    };
    const bottom = await open(false, 'One');
    await open(true, 'Two');
    const top = await open(true, 'Three');
    expect((await state('U_MANAGER')).modals.map((v) => v.title?.['text'])).toEqual(['One', 'Two', 'Three']);
    expect(await (await post('close', { user: 'U_MANAGER', viewId: top.view!.id, all: false })).json()).toEqual({ ok: true });
    expect((await state('U_MANAGER')).modals.map((v) => v.title?.['text'])).toEqual(['One', 'Two']);
    // Another user cannot close it.
    expect((await post('close', { user: 'U_BOB', viewId: bottom.view!.id, all: true })).status).toBe(409);
    await post('close', { user: 'U_MANAGER', viewId: (await state('U_MANAGER')).modals[1]!.id, all: true });
    expect((await state('U_MANAGER')).modals).toEqual([]);
  });

  test('stopping the app ends open event streams instead of waiting on them', async () => {
    const other = await startLocalApp();
    const res = await fetch(`${other.local.url}local/api/events`);
    await res.body!.getReader().read();
    await other.close(); // would hang on the open stream otherwise
  });
});

describe('local workspace bound to another address on purpose', () => {
  const address = nonLoopbackAddresses()[0];
  test.skipIf(!address)('BIND_ADDRESS=0.0.0.0 is reachable from the network (so the loopback check above means something)', async () => {
    // A wildcard bind address names no host: the machine's address is listed in LOCAL_WORKSPACE_HOSTS.
    const t = await startLocalApp({ env: { BIND_ADDRESS: '0.0.0.0', LOCAL_WORKSPACE_HOSTS: `${address!},demo-laptop.internal` } });
    try {
      const port = Number(new URL(t.local.url).port);
      expect(await tryConnect(address!, port)).toBe('connected');
      const res = await fetch(`http://${address}:${port}/local/api/state?user=U_ALICE`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Snapshot).banner.bindAddress).toBe('0.0.0.0');
    } finally {
      await t.close();
    }
  });
});

describe('the opt-in for a real GCP project', () => {
  test('starts, and the page is told to show the red banner', async () => {
    const t = await startLocalApp({ env: { GCP_PROJECT: 'acme-prod-123456', ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP: 'true' } });
    try {
      const snap = (await (await fetch(`${t.local.url}local/api/state?user=U_ALICE`)).json()) as Snapshot;
      expect(snap.banner).toMatchObject({ realGcp: true, project: 'acme-prod-123456' });
      expect(snap.gce.simulated).toBe(false);
    } finally {
      await t.close();
    }
  });

  test('an http:// emulator needs no opt-in', async () => {
    const t = await startLocalApp({ env: { GCP_PROJECT: 'acme-emulated-1', GCE_API_ENDPOINT: 'http://127.0.0.1:9' } });
    try {
      const snap = (await (await fetch(`${t.local.url}local/api/state?user=U_ALICE`)).json()) as Snapshot;
      expect(snap.banner).toMatchObject({ realGcp: false, gceMode: 'emulator' });
    } finally {
      await t.close();
    }
  });
});
