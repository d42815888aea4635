import { afterAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { openCatalog } from '../harness/flows.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';

describe('the database goes away', () => {
  const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
    await proxy.close();
  });

  test('down at start: the app waits and retries, then starts when it comes back', async () => {
    await proxy.listen();
    proxy.cut();
    setTimeout(() => proxy.restore(), 1_200);
    // Polling only: pg-boss's LISTEN client can end the process with an unhandled ECONNRESET when its
    // connection drops (see JobQueue); this test is about what requests and the app do meanwhile.
    t = await startTestApp({ wrapDatabaseUrl: (u) => proxy.url(u), dbConnectAttempts: 8, jobTuning: { listenNotify: false } });
    expect(t.logs.some((l) => l.includes('database not reachable yet; retrying'))).toBe(true);
    const browse = await openCatalog(t, 'U_ALICE');
    expect(JSON.stringify(browse.blocks)).toContain('Acme CRM');
  });

  test('lost mid-run: requests get a friendly error (no stack trace), and the app recovers when it returns', async () => {
    const app = t!;
    proxy.cut();
    const sent = await app.slack.command({ user: 'U_BOB', text: 'browse' });
    expect(sent.response.status).toBe(200); // acked before touching the database
    const modal = await eventually(
      () => app.fake.views('U_BOB').at(-1),
      (v) => JSON.stringify(v?.blocks ?? []).includes("can't reach its database"),
      20_000,
    );
    const text = JSON.stringify(modal!.blocks);
    expect(text).toMatch(/error id `E-[0-9A-F]{8}`/);
    expect(text).not.toMatch(/at \w+ \(|node_modules|ECONNREFUSED/);
    await app.slack.command({ user: 'U_BOB', text: 'list' });
    const reply = await eventually(
      () => app.fake.ephemerals('U_BOB').at(-1),
      (e) => !!e?.text.includes("can't reach its database"),
      20_000,
    );
    expect(reply!.text).not.toMatch(/node_modules/);

    proxy.restore();
    const browse = await eventually(
      async () => {
        try {
          return await openCatalog(app, 'U_BOB');
        } catch {
          return undefined;
        }
      },
      (v) => !!v && JSON.stringify(v.blocks).includes('Acme CRM'),
      30_000,
    );
    expect(browse).toBeTruthy();
  });

  test('down at start for good: a clear error naming the server, no password', async () => {
    const dead = new TcpProxy({ host: '127.0.0.1', port: 5432 });
    await dead.listen();
    dead.cut();
    try {
      await expect(startTestApp({ wrapDatabaseUrl: (u) => dead.url(u).replace('postgres@', 'postgres:s3cret@'), dbConnectAttempts: 2 })).rejects.toThrow(
        /Cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/.* after 2 attempts/,
      );
    } finally {
      await dead.close();
    }
  });
});
