import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { appProcessEnv, startAppProcess, type AppProcess } from '../harness/app-process.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { openPostgres, type DbHandle } from '../../src/platform/db.ts';
import { saveFromDm } from '../lifecycle/helpers.ts';
import { seedOwnedImage, temporaries } from '../exports/helpers.ts';
import { launch } from '../../src/demos/service.ts';

/**
 * Power cuts in a save and in an export: the app process SIGKILLs itself right after the GCE
 * machine-image insert (or the Cloud Build create) was sent and before it was recorded, or just
 * after; a fresh process takes over. One machine image, one build, no temporaries left.
 */
describe('crash safety of saves and exports', () => {
  let t: TestApp;
  let db: DbHandle;
  const children: AppProcess[] = [];
  const demoOf = new Map<string, string>();
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
    db = openPostgres(t.database!.url);
    // Running demos to save, made by the in-process app, which then steps aside for child processes.
    const imageId = (await db.db.selectFrom('images').select('id').where('gce_name', '=', 'crm-demo').executeTakeFirstOrThrow()).id;
    for (const user of ['U_CAROL', 'U_DAVE']) {
      const { demo } = await launch(t.app.ctx, await t.app.ctx.actor(user), {
        imageId,
        zone: 'us-central1-a',
        machineType: 'e2-medium',
        ttlHours: 4,
        submissionKey: `crash-${user}`,
      });
      await eventually(
        () => db.db.selectFrom('demos').select(['state', 'progress', 'dm_ts']).where('id', '=', demo.id).executeTakeFirstOrThrow(),
        (d) => d.state === 'running' && d.progress === 'ready' && !!d.dm_ts,
      );
      demoOf.set(user, demo.id);
    }
    await t.stopApp();
  });
  afterAll(async () => {
    for (const c of children) await c.kill().catch(() => {});
    await db?.close();
    await t?.close();
  });

  /** The TestApp as seen through a child process: its receiver, the shared fakes, a live database. */
  const via = (child: AppProcess): TestApp =>
    ({ ...t, db: db.db, slack: new InboundSlack(t.fake, `${child.url}/slack/events`, TEST_SIGNING_SECRET) }) as TestApp;

  async function cutAndResume(point: string, act: (t: TestApp) => Promise<void>): Promise<void> {
    const doomed = await startAppProcess({ env: appProcessEnv(t), clock: new Date(), crashAt: point });
    children.push(doomed);
    await act(via(doomed));
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const survivor = await startAppProcess({ env: appProcessEnv(t), clock: new Date() });
    children.push(survivor);
  }

  test.each([
    ['save.machine-image-insert.sent', 'U_CAROL'],
    ['save.machine-image-insert.recorded', 'U_DAVE'],
  ])(
    'save killed at %s: one machine image, the demo given back',
    async (point, user) => {
      const demo = { id: demoOf.get(user)! };
      await cutAndResume(point, (tc) => saveFromDm(tc, user, demo.id, 'keep', `saved at ${point}`).then(() => undefined));
      const save = await eventually(
        () => db.db.selectFrom('saves').selectAll().where('demo_id', '=', demo.id).executeTakeFirst(),
        (s) => s?.state === 'done',
        60_000,
      );
      const name = (await db.db.selectFrom('images').select('gce_name').where('id', '=', save!.image_id).executeTakeFirstOrThrow()).gce_name;
      expect(t.sim.machineImages.filter((m) => m.name === name)).toHaveLength(1);
      const inserts = t.sim.requestsFor('machineImages.insert').filter((r) => JSON.stringify(r.body).includes(name));
      expect(new Set(inserts.map((r) => r.requestId)).size).toBe(1);
      const back = await db.db.selectFrom('demos').select(['state', 'progress']).where('id', '=', demo.id).executeTakeFirstOrThrow();
      expect(back).toEqual({ state: 'running', progress: 'ready' });
      for (const c of children.splice(0)) await c.kill();
    },
    120_000,
  );

  test.each([
    ['export.build.sent', 'U_ERIN'],
    ['export.build.recorded', 'U_FRANK'],
  ])(
    'export killed at %s: one build, no temporaries left',
    async (point, user) => {
      const gceName = `crash-${user.toLowerCase().replace('_', '-')}`;
      await seedOwnedImage({ ...t, db: db.db } as TestApp, user, gceName);
      await cutAndResume(point, async (tc) => {
        await tc.slack.command({ user, text: `export ${gceName} vmdk` });
      });
      const row = await eventually(
        () => db.db.selectFrom('exports').selectAll().where('requester_id', '=', user).executeTakeFirst(),
        (e) => e?.state === 'done',
        60_000,
      );
      const builds = t.cloudBuild.builds.filter((b) => JSON.stringify(b).includes(row!.destination_uri));
      expect(builds).toHaveLength(1);
      expect(temporaries(t)).toEqual({ instances: [], images: [] });
      for (const c of children.splice(0)) await c.kill();
    },
    120_000,
  );
});
