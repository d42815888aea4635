/**
 * App Home for a heavy user: 1,000 demos (900 still alive: running, stopped), ~3,000 usage intervals
 * this year and this week, 200 saved images — among 10,000 other users with 10 demos each (101,000
 * demos, ~100,000 intervals).
 *  - the real path: app_home_opened (signed, to the app's receiver in its own process) → the app's
 *    queries → views.publish recorded by the fake Slack; goal p99 < 200 ms;
 *  - EXPLAIN at full scale of the Home's queries as the app builds them (demoCards, hoursThisWeek):
 *    they must use demos_owner and usage_by_user_time (exit 1 if not).
 */
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import type { AppContext } from '../src/context.ts';
import { demoCards, hoursThisWeek } from '../src/home/service.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db.ts';
import { catalogSynced, freshDatabase, startChildApp, startFakes, type Fakes } from './lib/env.ts';
import { recordingDb, requireIndex } from './lib/explain.ts';
import { progress, result, round, runMain, summarize } from './lib/report.ts';

const HEAVY = 'U_B0001';
const OTHERS = Number(process.env.BENCH_HOME_USERS ?? 10_000);
const RUNS = 60;

async function load(db: Db): Promise<void> {
  await sql`SELECT setseed(0.7)`.execute(db);
  await sql`
    INSERT INTO images (id, project, gce_name, title, description, owner_id, visibility, origin, created_at, updated_at)
    SELECT md5('img' || g)::uuid, 'demo-bench-project', 'img-home-' || g, 'Bench image ' || g, 'An image.',
           CASE WHEN g <= 200 THEN ${HEAVY} ELSE NULL END,
           CASE WHEN g <= 200 THEN 'private' ELSE 'official' END,
           CASE WHEN g <= 200 THEN 'saved' ELSE 'published' END,
           now() - make_interval(days => g % 365), now()
      FROM generate_series(1, 1200) g`.execute(db);
  // The heavy user: 1,000 demos over a year, newest first 30% running, 60% stopped, 10% deleted.
  // Everyone else: 10 demos each, mostly deleted.
  await sql`
    INSERT INTO demos (id, owner_id, image_id, instance_name, zone, machine_type, state, progress, expires_at, created_at, updated_at)
    SELECT md5('demo' || g)::uuid,
           CASE WHEN g <= 1000 THEN ${HEAVY} ELSE 'U' || lpad(((g - 1001) / 10)::text, 7, '0') END,
           md5('img' || (g % 1000 + 201))::uuid, 'demo-' || md5('demo' || g),
           (ARRAY['us-central1-a', 'us-central1-b', 'europe-west1-b'])[g % 3 + 1], 'e2-medium',
           CASE WHEN g % 10 < 3 THEN 'running' WHEN g % 10 < 9 AND g <= 1000 THEN 'stopped' WHEN g % 10 < 5 THEN 'stopped' ELSE 'deleted' END,
           CASE WHEN g % 10 < 3 THEN 'ready' ELSE 'idle' END,
           now() + interval '8 hours', now() - make_interval(hours => (g * 7) % 8760), now()
      FROM generate_series(1, 1000 + ${OTHERS} * 10) g`.execute(db);
  // Closed intervals of 1–4 h, one a day back from now, three per demo (never overlapping), plus an
  // open one for each running demo.
  await sql`
    INSERT INTO usage_intervals (demo_id, user_id, image_id, machine_type, zone, started_at, ended_at)
    SELECT d.id, d.owner_id, d.image_id, d.machine_type, d.zone,
           now() - make_interval(days => k + (hashtext(d.id::text) & 7)), now() - make_interval(days => k + (hashtext(d.id::text) & 7)) + make_interval(hours => 1 + k)
      FROM demos d, generate_series(1, 3) k`.execute(db);
  await sql`
    INSERT INTO usage_intervals (demo_id, user_id, image_id, machine_type, zone, started_at, ended_at)
    SELECT id, owner_id, image_id, machine_type, zone, now() - interval '2 hours', NULL FROM demos WHERE state = 'running'`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** app_home_opened → the fake records the user's views.publish; ms between the two. */
async function openHome(f: Fakes, slack: Awaited<ReturnType<typeof startChildApp>>['slack']): Promise<number> {
  const published = new Promise<number>((resolve) => {
    const on = (v: { user: string; type: string }) => {
      if (v.user !== HEAVY || v.type !== 'home') return;
      f.fake.events.off('view_published', on);
      resolve(performance.now());
    };
    f.fake.events.on('view_published', on);
  });
  const t0 = performance.now();
  const sent = await slack.homeOpened({ user: HEAVY });
  if (sent.response.status !== 200) throw new Error(`app_home_opened answered ${sent.response.status}`);
  return (await published) - t0;
}

runMain(async () => {
  const r = result('home');
  const f = await startFakes({ users: 10 });
  const database = await freshDatabase();
  const rec = recordingDb(database.url);
  let stopApp = async () => {};
  try {
    progress(`loading 1,000 demos for ${HEAVY} and ${OTHERS * 10} for ${OTHERS} others`);
    await load(database.handle.db);
    const counts = await sql<{ demos: string; live: string; intervals: string }>`
      SELECT (SELECT count(*) FROM demos) AS demos,
             (SELECT count(*) FROM demos WHERE owner_id = ${HEAVY} AND state <> 'deleted') AS live,
             (SELECT count(*) FROM usage_intervals) AS intervals`.execute(database.handle.db);
    const c = counts.rows[0]!;
    r.note(`Data: ${c.demos} demos (${HEAVY}: 1,000, ${c.live} alive), ${c.intervals} usage intervals, 1,200 images (200 saved by ${HEAVY}).`);

    // The Home's queries as the app builds them, explained at full scale.
    const ctx = { db: rec.db, clock: systemClock, config: loadConfig({}) } as unknown as AppContext;
    rec.take();
    await demoCards(ctx, HEAVY, { offset: 0, limit: 6 });
    const plans: string[] = [];
    for (const q of rec.take()) plans.push((await requireIndex(rec.pool, 'demoCards', q, 'demos_owner')).shape);
    await hoursThisWeek(ctx, HEAVY, new Date());
    for (const q of rec.take()) plans.push((await requireIndex(rec.pool, 'hoursThisWeek', q, 'usage_by_user_time')).shape);
    r.note(`Plans: ${plans.join(' | ')}`);

    const { app, slack } = await startChildApp(f, database.url);
    stopApp = () => app.stop();
    await catalogSynced(database.handle);
    for (let i = 0; i < 10; i++) await openHome(f, slack);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await openHome(f, slack));
    const s = summarize(samples);
    const blocks = (f.fake.home(HEAVY)?.blocks ?? []).length;
    r.figure({ name: `App Home, user with 1,000 demos: app_home_opened → views.publish p50 (n=${s.n})`, value: round(s.p50, 1), unit: 'ms' });
    r.figure({ name: 'App Home: p99', value: round(s.p99, 1), unit: 'ms', goal: '< 200 ms', pass: s.p99 < 200 });
    r.figure({ name: 'App Home: max', value: round(s.max, 1), unit: 'ms' });
    r.note(`The published Home has ${blocks} blocks. App error lines: ${app.errorLines.length}.`);
    r.emit();
  } finally {
    await stopApp();
    await rec.close();
    await database.drop();
    await f.close();
  }
});
