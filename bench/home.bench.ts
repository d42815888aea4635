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
import { HEAVY, loadHomeData } from './lib/home-data.ts';
import { loadConfig } from '../src/config.ts';
import type { AppContext } from '../src/context.ts';
import { demoCards, hoursThisWeek } from '../src/home/service.ts';
import { systemClock } from '../src/platform/clock.ts';
import { catalogSynced, freshDatabase, startChildApp, startFakes, type Fakes } from './lib/env.ts';
import { recordingDb, requireIndex } from './lib/explain.ts';
import { progress, result, round, runMain, summarize } from './lib/report.ts';

const OTHERS = Number(process.env.BENCH_HOME_USERS ?? 10_000);
const RUNS = 60;

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
    await loadHomeData(database.handle.db, OTHERS);
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
