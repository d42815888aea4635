/**
 * Local mode survives a restart: the GCE simulator's project, the fake Slack's messages and the fake
 * Cloud Build's exports live in DATA_DIR beside the PGlite database, so the app started again on the
 * same DATA_DIR finds the VMs, machine images, DMs and builds its database remembers.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { startLocalMode, type LocalMode } from '../../sim/local-mode.ts';
import { eventually, type TestApp } from '../harness/app.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { launchDemo, saveFromDm, savesOf, settledDm, waitDemo } from '../lifecycle/helpers.ts';

const FAST = { operationMs: 50, bootMs: 50 };

describe('local mode on the same DATA_DIR', () => {
  let dataDir: string;
  let local: LocalMode | undefined;
  const logs: string[] = [];
  /** Every DATA_DIR made here; a reset moves one to `<dir>-reset-<time>` beside it. */
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-vm-restart-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    dataDir = await freshDir();
  });
  // A test's last instance, stopped even when it fails: the next test would move its live DATA_DIR aside.
  afterEach(async () => {
    if (local) await stop();
  });
  afterAll(async () => {
    for (const dir of dirs) {
      const moved = (await readdir(dirname(dir))).filter((name) => name.startsWith(`${basename(dir)}-reset-`));
      for (const path of [dir, ...moved.map((name) => join(dirname(dir), name))]) await rm(path, { recursive: true, force: true });
    }
  });

  const start = async (dir = dataDir) => {
    const config = loadConfig({ DATA_DIR: dir, PORT: '0', READINESS_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'info' });
    const destination = new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) });
    local = await startLocalMode({ config, log: createLogger({ level: 'info', destination }), timing: FAST });
    // The catalog follows GCE in the background from start: wait for the sample images.
    const db = local.app.ctx.db;
    await eventually(() => db.selectFrom('images').select('id').where('gce_name', '=', 'crm-demo').executeTakeFirst(), Boolean, 30_000);
    return local;
  };
  /** The flows of the test harness, driven through the local workspace's fake Slack and receiver. */
  const driver = (l: LocalMode) =>
    ({ fake: l.fake!, db: l.app.ctx.db, slack: new InboundSlack(l.fake!, `${l.app.url}/slack/events`, l.config.slack.signingSecret!) }) as unknown as TestApp;
  const stop = async () => {
    await local!.app.stop();
    await local!.close();
    local = undefined;
  };

  test(
    'launch, save, stop the app, start again: Start works, the fleet agrees with the simulator, the saved image launches',
    { timeout: 240_000 },
    async () => {
      let t = driver(await start());
      expect(local!.notes.join()).toContain('Local state: new');
      const demo = await launchDemo(t, 'U_ALICE');
      await saveFromDm(t, 'U_ALICE', demo.id, 'stop', 'Alice CRM, tuned');
      await eventually(
        () => savesOf(t, demo.id),
        (s) => s[0]?.state === 'done',
        30_000,
      );
      await waitDemo(t, demo.id, 'stopped', 'idle');
      const [save] = await savesOf(t, demo.id);
      await stop();
      expect(existsSync(join(dataDir, 'simulators.json'))).toBe(true);

      t = driver(await start());
      const sim = local!.simulator!;
      expect(local!.notes.join()).toContain('Local state: restored');
      // The fleet agrees with the simulator: every live demo has its VM, in the matching state.
      const live = await t.db.selectFrom('demos').selectAll().where('state', 'not in', ['deleted', 'failed']).execute();
      expect(live.map((d) => [d.instance_name, d.state, sim.instance(d.zone, d.instance_name)?.status])).toEqual([
        [demo.instance_name, 'stopped', 'TERMINATED'],
      ]);
      const image = await t.db.selectFrom('images').selectAll().where('id', '=', save!.image_id).executeTakeFirstOrThrow();
      expect(sim.machineImage(image.gce_name)?.status).toBe('READY');

      // The status DM is still there (same message), and its Start button works.
      const dm = await settledDm(t, demo.id, 'demos.start');
      await t.slack.action({ user: 'U_ALICE', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.start' });
      await waitDemo(t, demo.id, 'running', 'ready');
      expect(sim.instance(demo.zone, demo.instance_name)?.status).toBe('RUNNING');

      // The image saved before the restart launches (Resume: a new demo from it).
      await t.slack.command({ user: 'U_ALICE', text: `resume ${image.gce_name}` });
      const resumedRow = await eventually(() => t.db.selectFrom('demos').selectAll().where('image_id', '=', image.id).executeTakeFirst(), Boolean);
      const resumed = await waitDemo(t, resumedRow!.id, 'running', 'ready');
      expect(sim.instance(resumed.zone, resumed.instance_name)?.sourceMachineImage).toMatch(new RegExp(`/machineImages/${image.gce_name}$`));
      expect(logs.join('')).not.toContain('"level":50');
    },
  );

  test('an export whose build is running when the app stops finishes after the restart', { timeout: 180_000 }, async () => {
    const dir = await freshDir();
    let t = driver(await start(dir));
    // Catalog images are exported by admins; the local workspace's admin is U_ADMIN.
    await t.slack.command({ user: 'U_ADMIN', text: 'export crm-demo vmdk' });
    const exports = () => t.db.selectFrom('exports').selectAll().where('requester_id', '=', 'U_ADMIN').execute();
    const running = await eventually(exports, (rows) => !!rows[0]?.build_id && rows[0].state === 'running', 60_000);
    await stop();

    t = driver(await start(dir));
    const done = await eventually(exports, (rows) => rows[0]?.state === 'done', 90_000);
    expect(done[0]).toMatchObject({ id: running[0]!.id, build_id: running[0]!.build_id, failure_reason: null });
    expect(done[0]!.size_bytes).not.toBeNull();
  });

  test.each([
    [
      'unreadable',
      (file: string) => writeFile(file, '{ not json'),
      /could not be restored \(simulators\.json is unreadable.*\); it was moved to (.*-reset-\S*) and/,
    ],
    ['missing', (file: string) => rm(file), /could not be restored \(it has no simulators\.json\); it was moved to (.*-reset-\S*) and/],
  ] as const)('a database whose simulators’ file is %s is moved aside whole, and local mode starts afresh', { timeout: 120_000 }, async (_, spoil, said) => {
    const dir = await freshDir();
    await start(dir);
    await stop();
    await spoil(join(dir, 'simulators.json'));
    const l = await start(dir);
    const aside = said.exec(l.notes.join())?.[1];
    expect(aside, l.notes.join()).toBeDefined();
    expect(existsSync(join(aside!, 'PG_VERSION'))).toBe(true);
    expect(l.notes.join()).not.toContain('restored from');
    expect(l.simulator!.instances).toEqual([]);
  });
});
