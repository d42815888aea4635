import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { startAppProcess, appProcessEnv, type AppProcess } from '../harness/app-process.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { TEST_SIGNING_SECRET } from '../harness/app.ts';
import { openViewIds, waitForView } from '../harness/flows.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';

/**
 * Power cuts: the app runs as a child process that SIGKILLs itself at a named point of the launch
 * (before the GCE insert, after it was sent but before it was recorded, after it was recorded); a
 * fresh process then takes over. Exactly one VM, no orphans, no open interval without a running VM,
 * and the user's message ends in its final state.
 */
describe('crash safety of a launch', () => {
  let t: TestApp;
  let db: DbHandle;
  const children: AppProcess[] = [];
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
    await t.stopApp(); // only child processes serve from here on
    db = openPostgres(t.database!.url);
  });
  afterAll(async () => {
    for (const c of children) await c.kill().catch(() => {});
    await db?.close();
    await t?.close();
  });

  const points = ['demo.insert.before', 'demo.insert.sent', 'demo.insert.recorded'];
  test.each(points.map((p, i) => [p, ['U_CAROL', 'U_DAVE', 'U_ERIN'][i]!]))(
    'killed at %s, then restarted',
    async (point, user) => {
      const env = appProcessEnv(t, { READINESS_TIMEOUT_SECONDS: '1' });
      const doomed = await startAppProcess({ env, clock: new Date(), crashAt: point });
      children.push(doomed);
      const slack = new InboundSlack(t.fake, `${doomed.url}/slack/events`, TEST_SIGNING_SECRET);
      const before = openViewIds(t, user);
      await slack.command({ user, text: 'launch crm-demo' });
      const modal = await waitForView(t, user, 'demos.launch', before);
      await slack.submit({ user, viewId: modal.id });
      const { signal } = await doomed.exited;
      expect(signal).toBe('SIGKILL');

      const survivor = await startAppProcess({ env, clock: new Date() });
      children.push(survivor);
      try {
        const demo = await eventually(
          () => db.db.selectFrom('demos').selectAll().where('owner_id', '=', user).executeTakeFirst(),
          (d) => d?.state === 'running' && d.progress === 'ready' && !!d.dm_ts,
          60_000,
        );
        const vms = t.sim.instances.filter((i) => i.labels?.['demo-id'] === demo!.id);
        expect(vms).toHaveLength(1);
        const inserts = t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demo!.id));
        expect(new Set(inserts.map((r) => r.requestId)).size).toBe(1);
        const open = await db.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo!.id).where('ended_at', 'is', null).execute();
        expect(open).toHaveLength(1);
        expect(vms[0]!.status).toBe('RUNNING');
        // One status message, in its final state.
        await eventually(
          () => t.fake.message(demo!.dm_channel!, demo!.dm_ts!)?.text ?? '',
          (s) => s.includes('ready'),
          20_000,
        );
        const posts = t.fake.history(demo!.dm_channel!).filter((m) => (m.metadata?.event_payload as { key?: string } | undefined)?.key === demo!.id);
        expect(posts).toHaveLength(1);
      } finally {
        await survivor.stop();
      }
      // No orphan: every managed VM belongs to a live demo.
      const demoIds = new Set((await db.db.selectFrom('demos').select('id').where('state', '!=', 'deleted').execute()).map((d) => d.id));
      expect(t.sim.instances.filter((i) => i.labels?.['managed-by'] === 'demo-vm' && !demoIds.has(i.labels['demo-id']!))).toEqual([]);
    },
    90_000,
  );
});
