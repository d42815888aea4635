import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { appProcessEnv, startAppProcess, type AppProcess } from '../harness/app-process.ts';
import { imageIdOf, openCatalog, waitForView } from '../harness/flows.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { STATUS_EVENT } from '../../src/demos/ids.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';

/**
 * Several replicas = several OS processes on one PostgreSQL, nothing else shared: the fake Slack and
 * the GCE simulator run here, in the test process, as Slack and GCE would for a real deployment.
 */
describe('two app processes on one PostgreSQL', () => {
  let t: TestApp;
  let handle: DbHandle;
  let a: AppProcess;
  let b: AppProcess;
  /** The same fakes and database, with Slack requests delivered to one replica or the other. */
  let viaA: TestApp;
  let viaB: TestApp;

  beforeAll(async () => {
    // The harness's fakes and migrated database; its in-process app is stopped: only the two replicas work.
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
    await t.stopApp();
    handle = openPostgres(t.database!.url);
    const env = appProcessEnv(t, { LOG_LEVEL: 'debug', READINESS_TIMEOUT_SECONDS: '1' });
    [a, b] = await Promise.all([startAppProcess({ env, clock: '2026-03-02T09:00:00Z' }), startAppProcess({ env, clock: '2026-03-02T09:00:00Z' })]);
    const via = (p: AppProcess): TestApp => ({ ...t, db: handle.db, slack: new InboundSlack(t.fake, `${p.url}/slack/events`, TEST_SIGNING_SECRET) });
    viaA = via(a);
    viaB = via(b);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await handle?.close();
    await t?.close();
  });

  test('a Slack request can land on either replica', async () => {
    expect(a.pid).not.toBe(b.pid);
    for (const [via, user] of [
      [viaA, 'U_ALICE'],
      [viaB, 'U_BOB'],
    ] as const) {
      const sent = await via.slack.command({ user, text: 'help' });
      expect(sent.response.status).toBe(200);
      expect(t.fake.ephemerals(user).at(-1)?.text).toContain('/demo launch');
    }
    // Each replica served its own request, and logged it with a request id and the user.
    const served = (p: AppProcess, user: string) =>
      p
        .output()
        .split('\n')
        .some((l) => l.includes('"message":"slack request"') && l.includes(`"userId":"${user}"`) && l.includes('"requestId":'));
    await eventually(() => served(a, 'U_ALICE') && served(b, 'U_BOB'));
    expect(served(a, 'U_BOB')).toBe(false);
  });

  test('a launch flow hopping between replicas creates one VM and one DM per demo; each job runs once', async () => {
    const users = ['U_ALICE', 'U_BOB', 'U_MANAGER', 'U_ADMIN'];
    await Promise.all(
      users.map(async (user, i) => {
        // Every step of the flow goes to the other replica than the step before.
        const [first, second] = i % 2 ? [viaA, viaB] : [viaB, viaA];
        const browse = await openCatalog(first, user);
        const imageId = await imageIdOf(first, 'crm-demo');
        await second.slack.action({ user, on: { viewId: browse.id }, actionId: 'catalog.open_detail', choice: imageId });
        const detail = await waitForView(t, user, 'catalog.detail', new Set([browse.id]));
        await first.slack.action({ user, on: { viewId: detail.id }, actionId: 'catalog.launch', choice: imageId });
        const launch = await waitForView(t, user, 'demos.launch', new Set([browse.id, detail.id]));
        // A double click: the same submission reaches both replicas.
        const submitted = await Promise.all([second.slack.submit({ user, viewId: launch.id }), first.slack.submit({ user, viewId: launch.id })]);
        for (const s of submitted) expect(s.response.status).toBe(200);
      }),
    );
    const demos = await eventually(
      () => handle.db.selectFrom('demos').selectAll().execute(),
      (rows) => rows.length === users.length && rows.every((d) => d.state === 'running' && d.progress === 'ready'),
      30_000,
    );
    expect(new Set(demos.map((d) => d.owner_id))).toEqual(new Set(users));
    // One insert per demo in GCE, and one VM each.
    const inserts = t.sim.requestsFor('instances.insert');
    expect(inserts).toHaveLength(users.length);
    expect(new Set(t.sim.instances.map((i) => i.name))).toEqual(new Set(demos.map((d) => d.instance_name)));
    // One status DM per demo, edited in place.
    for (const d of demos) {
      const statusMessages = t.fake
        .history(d.dm_channel!)
        .filter((m) => m.metadata?.event_type === STATUS_EVENT && JSON.stringify(m.metadata.event_payload).includes(d.id));
      expect(statusMessages, `status DMs of ${d.owner_id}`).toHaveLength(1);
    }
    // Each launch job completed once, first time: no replica took a job another was working on.
    const launchJobs = async () =>
      (await sql<{ state: string; retry_count: number }>`SELECT state, retry_count FROM pgboss.job WHERE name = 'demo-launch'`.execute(handle.db)).rows;
    const jobs = await eventually(launchJobs, (rows) => rows.every((j) => j.state !== 'active'));
    expect(jobs.map((j) => [j.state, j.retry_count])).toEqual(users.map(() => ['completed', 0]));
  });

  test('a scheduled task ticked by both replicas at once runs once per period', async () => {
    const lists = () => t.sim.requestsFor('machineImages.list').length;
    const before = lists();
    const periods = ['2026-03-02T10:00:00Z', '2026-03-02T10:10:00Z', '2026-03-02T10:20:00Z'];
    for (const now of periods) await Promise.all([a.tick('catalog-sync', now), b.tick('catalog-sync', now)]);
    // One catalog sync (one list of machine images) per period, whichever replica claimed it.
    expect(lists() - before).toBe(periods.length);
    const runs = await handle.db
      .selectFrom('scheduled_runs')
      .select(['period_key', 'claimed_by'])
      .where('task', '=', 'catalog-sync')
      .where(
        'period_key',
        'in',
        periods.map((p) => new Date(p).toISOString()),
      )
      .execute();
    expect(runs.map((r) => r.period_key).sort()).toEqual(periods.map((p) => new Date(p).toISOString()));
  });

  test('claimPeriod raced by two processes over 200 periods: each period won exactly once', async () => {
    const race = (instance: string) => {
      const child = spawn(process.execPath, ['test/deploy/claim-race-child.ts', t.database!.url, 'race-test', '200', instance], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let out = '';
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += String(d)), out.includes('READY') && resolve())));
      const done = new Promise<string[]>((resolve, reject) =>
        child.once('exit', (code) =>
          code === 0 ? resolve(JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as string[]) : reject(new Error(`claim race child exited ${code}`)),
        ),
      );
      return { child, ready, done };
    };
    const racers = [race('replica-a'), race('replica-b')];
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.end(); // go
    const [wonA, wonB] = await Promise.all(racers.map((r) => r.done));
    expect(wonA!.filter((p) => wonB!.includes(p))).toEqual([]);
    expect(new Set([...wonA!, ...wonB!]).size).toBe(200);
    const rows = await handle.db
      .selectFrom('scheduled_runs')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('task', '=', 'race-test')
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(200);
  });
});
