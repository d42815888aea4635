import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { appProcessEnv, startAppProcess, type AppProcess } from '../harness/app-process.ts';
import { demoInState, launchFromCatalog, openCatalog, statusDm } from '../harness/flows.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';

const RECORDER = fileURLToPath(new URL('../harness/module-recorder.ts', import.meta.url));
const GOOGLE = /\/node_modules\/(@google-cloud\/|google-gax\/|@grpc\/|google-auth-library\/)/;

/**
 * The two roles as two OS processes on one PostgreSQL: ROLE=web answers Slack, ROLE=worker runs the
 * jobs against GCE (the simulator, here in the test process). Each records every module it loads.
 */
describe('ROLE=web and ROLE=worker as two processes', () => {
  let t: TestApp;
  let handle: DbHandle;
  let web: AppProcess;
  let worker: AppProcess;
  let viaWeb: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'demo-vm-roles-'));
  const loaded = (role: string) =>
    readFileSync(join(dir, `${role}.modules`), 'utf8')
      .split('\n')
      .filter(Boolean);

  beforeAll(async () => {
    t = await startTestApp();
    await t.stopApp(); // only the two role processes work
    handle = openPostgres(t.database!.url);
    const env = appProcessEnv(t, { LOG_LEVEL: 'debug', READINESS_TIMEOUT_SECONDS: '1' });
    const start = (role: string) =>
      startAppProcess({
        env: { ...env, ROLE: role, DEMO_VM_MODULE_LOG: join(dir, `${role}.modules`) },
        clock: '2026-03-02T09:00:00Z',
        execArgv: ['--import', RECORDER],
      });
    [web, worker] = await Promise.all([start('web'), start('worker')]);
    viaWeb = { ...t, db: handle.db, slack: new InboundSlack(t.fake, `${web.url}/slack/events`, TEST_SIGNING_SECRET) };
  });
  afterAll(async () => {
    await Promise.all([web?.stop(), worker?.stop()]);
    await handle?.close();
    await t?.close();
  });

  test('browse and launch through the web process; the worker creates the VM and the DM says ready', async () => {
    await viaWeb.slack.homeOpened({ user: 'U_ALICE' });
    await eventually(() => t.fake.home('U_ALICE'), Boolean);
    await openCatalog(viaWeb, 'U_ALICE');
    await launchFromCatalog(viaWeb, 'U_ALICE', 'crm-demo');
    const demo = await demoInState(viaWeb, 'U_ALICE', 'running', 'ready');
    expect(t.sim.requestsFor('instances.insert')).toHaveLength(1);
    await eventually(
      () => JSON.stringify(statusDm(viaWeb, demo).blocks),
      (b) => b.includes('console.cloud.google.com'),
    );
    // The web process served the Slack requests; the worker did the job (its log names the queue).
    expect(web.output()).toContain('"message":"slack request"');
    expect(worker.output()).not.toContain('"message":"slack request"');
    // Only the worker knows the VM is running: its job's event refreshed the Home it never served.
    await eventually(
      () => JSON.stringify(t.fake.home('U_ALICE')?.blocks ?? []),
      (b) => b.includes('· running'),
    );
  });

  test('the web process never loaded a Google client library; the worker did', () => {
    const webModules = loaded('web');
    expect(webModules.some((u) => u.includes('/node_modules/@slack/bolt/'))).toBe(true); // the recorder saw the process
    expect(webModules.filter((u) => GOOGLE.test(u))).toEqual([]);
    expect(loaded('worker').some((u) => u.includes('/node_modules/@google-cloud/compute/'))).toBe(true);
  });

  test('the worker serves health and metrics only; the web process serves Slack', async () => {
    const workerReady = await fetch(`${worker.url}/readyz`);
    expect(workerReady.status).toBe(200);
    expect(await workerReady.json()).toMatchObject({ role: 'worker', checks: { database: true, migrations: true, jobs: true, workers: true } });
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${worker.url}/slack/events`, { method: 'POST' })).status).toBe(404);
    const webReady = await fetch(`${web.url}/readyz`);
    expect(webReady.status).toBe(200);
    // No `workers` check on web (it works no queue); details (the price catalog's last read) come from the database.
    expect(await webReady.json()).toMatchObject({ status: 'ready', role: 'web', checks: { database: true, migrations: true, jobs: true } });
    expect(Object.keys(((await (await fetch(`${web.url}/readyz`)).json()) as { checks: object }).checks).sort()).toEqual(['database', 'jobs', 'migrations']);
  });
});
