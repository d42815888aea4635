import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { appProcessEnv, startAppProcess, type AppProcess } from '../harness/app-process.ts';
import { openViewIds, waitForView } from '../harness/flows.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';

/**
 * SIGTERM to the real entry point (node src/main.ts): it stops taking requests, gives the running
 * job step its grace period, hands the job back, closes the database and exits 0; another process
 * then finishes the launch — one VM.
 */
describe('graceful shutdown', () => {
  let t: TestApp;
  let db: DbHandle;
  let survivor: AppProcess | undefined;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
    await t.stopApp();
    db = openPostgres(t.database!.url);
  });
  afterAll(async () => {
    await survivor?.kill();
    await db?.close();
    await t?.close();
  });

  test('SIGTERM mid-launch: exit 0 within the grace period, the launch completes elsewhere', async () => {
    t.sim.setTiming({ operationMs: 6_000 }); // the insert is still running when SIGTERM arrives
    const env = { ...process.env, ...appProcessEnv(t, { LOG_LEVEL: 'info', SHUTDOWN_GRACE_SECONDS: '1', READINESS_TIMEOUT_SECONDS: '1' }) };
    const child = spawn(process.execPath, ['src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await eventually(() => /Slack requests: (http:\/\/[\d.:]+)\/slack\/events/.exec(out)?.[1], Boolean, 30_000);

    const user = 'U_FRANK';
    const slack = new InboundSlack(t.fake, `${url}/slack/events`, TEST_SIGNING_SECRET);
    const before = openViewIds(t, user);
    await slack.command({ user, text: 'launch crm-demo' });
    const modal = await waitForView(t, user, 'demos.launch', before);
    await slack.submit({ user, viewId: modal.id });
    const demo = await eventually(
      () => db.db.selectFrom('demos').selectAll().where('owner_id', '=', user).executeTakeFirst(),
      (d) => d?.progress === 'creating' && t.sim.instances.some((i) => i.labels?.['demo-id'] === d.id),
      20_000,
    );

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopping: finishing running job steps');
    // It left after the grace period (1 s) instead of waiting out the 6 s insert: the step is unfinished.
    expect((await db.db.selectFrom('demos').select('progress').where('id', '=', demo!.id).executeTakeFirstOrThrow()).progress).toBe('creating');
    // Stopped taking requests.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    survivor = await startAppProcess({ env: appProcessEnv(t, { READINESS_TIMEOUT_SECONDS: '1' }), clock: new Date() });
    const done = await eventually(
      () => db.db.selectFrom('demos').selectAll().where('id', '=', demo!.id).executeTakeFirstOrThrow(),
      (d) => d.state === 'running' && d.progress === 'ready',
      60_000,
    );
    expect(t.sim.instances.filter((i) => i.labels?.['demo-id'] === done.id)).toHaveLength(1);
  }, 120_000);
});
