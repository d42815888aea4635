/**
 * Warm pool (#24): from pressing Launch to the demo's app answering, what a sales engineer feels, on
 * the simulator's realistic profile (docs/SIMULATOR.md: a clone of a 10 GB machine image is RUNNING
 * after ~30 s, its OS up 17 s later, its app 60 s after that; a resume of 8 GB takes ~9 s).
 *
 * 100 launches arrive as a Poisson process (one every 3 minutes on average), split evenly between a
 * pooled image (pool of 3) and an unpooled one of the same size (10 GB disk, 8 GB RAM, app-start 60 s).
 * Each launch is submitted through the real receiver; its time ends when the user has the DM's link and
 * the app behind it answers. Per path: p50/p95; how often the pool was empty; the pool's cost (its own
 * line, priced from the fake Billing Catalog) per launch it served.
 *
 * Time is compressed BENCH_POOL_SCALE times (default 10): the simulator's timers and the app's clock,
 * polls and backoffs alike (ScaledClock, DEMO_VM_TIME_SCALE); figures are model time. To show what
 * compression does to them, a small scenario (no jitter) runs compressed and then in real time.
 *
 * The app runs in this process (ROLE=all) so that it reaches the simulated VMs' app pages as the
 * simulator serves them (on loopback; GCE's rules would refuse that address).
 *
 * Goals: pooled p50 ≤ 20 s and p95 ≤ 45 s; pooled p50 at least 4× faster than unpooled.
 * BENCH_QUICK=1: 10 launches and a 2-launch check (checks the bench works; not figures).
 */
import { poolUsage } from '../src/accounting/pool-usage.ts';
import type { RunningApp } from '../src/app.ts';
import type { InboundSlack } from '../test/harness/slack-requests.ts';
import type { StoredMessage } from './lib/fakes.ts';
import { quick, topViewWith, until, type Fakes } from './lib/env.ts';
import { progress, result, round, runMain, summarize } from './lib/report.ts';
import { APP_PORT, POOLED, startCompressedWorld, UNPOOLED } from './lib/compressed-world.ts';
import { seeded } from '../sim/seeded-random.ts';

const SCALE = Number(process.env.BENCH_POOL_SCALE ?? 10);
const LAUNCHES = Number(process.env.BENCH_POOL_LAUNCHES ?? quick(100, 10));
const CHECK_LAUNCHES = quick(4, 2);
const MEAN_GAP_S = 180;
const POOL_SIZE = 3;

interface Scenario {
  scale: number;
  launches: number;
  /** Mean model seconds between arrivals (exponential gaps). */
  meanGapS: number;
  seed: number;
  /** Jitter of the simulator's steps: seeded, or none (0.5) to compare runs at two scales. */
  jitter: boolean;
}

interface Launch {
  user: string;
  image: string;
  /** Model seconds from submission to the app answering behind the DM's link. */
  seconds?: number;
  fromPool?: boolean;
}

interface Outcome {
  launches: Launch[];
  poolCost: number;
  poolCostKnown: boolean;
  poolVmsMade: number;
  modelMinutes: number;
}

function startWorld(s: Scenario) {
  return startCompressedWorld({ scale: s.scale, seed: s.seed, jitter: s.jitter, users: s.launches + 2, poolMaxVms: POOL_SIZE + 2 });
}

/** The first DM to the user whose text says the demo is ready (or failed): the moment the user has the link. */
function dmSaysReady(f: Fakes, user: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(new Error(`${user}'s DM never said ready`))), timeoutMs);
    const onMessage = (m: StoredMessage) => {
      if (m.channel === f.fake.imChannel(user) && /: ready\b|could not be launched/.test(m.text)) done(() => resolve(m.text));
    };
    const done = (settle: () => void) => {
      clearTimeout(timer);
      f.fake.events.off('message_posted', onMessage);
      f.fake.events.off('message_updated', onMessage);
      settle();
    };
    f.fake.events.on('message_posted', onMessage);
    f.fake.events.on('message_updated', onMessage);
  });
}

/** Submit the launch, then wait for the DM (the user has the link) and for the app behind it to answer. */
async function launchOne(f: Fakes, app: RunningApp, slack: InboundSlack, launch: Launch, scale: number): Promise<void> {
  await slack.command({ user: launch.user, text: `launch ${launch.image}` });
  const modal = await topViewWith(f, launch.user, 'demos.launch', 60_000);
  const ready = dmSaysReady(f, launch.user, 3_600_000 / scale + 60_000);
  const submitted = performance.now();
  const sent = await slack.submit({ user: launch.user, viewId: modal.id });
  if (sent.response.status !== 200) throw new Error(`launch submission answered ${sent.response.status}`);
  const said = await ready;
  const demo = await app.ctx.db.selectFrom('demos').selectAll().where('owner_id', '=', launch.user).executeTakeFirstOrThrow();
  if (demo.state !== 'running') throw new Error(`a launch did not run: ${said}`);
  for (;;) {
    const endpoint = f.sim.appReach.endpoint({ zone: demo.zone, instanceName: demo.instance_name, externalIp: null }, APP_PORT);
    const answered =
      endpoint &&
      (await fetch(`http://${endpoint.host}:${endpoint.port}/`)
        .then((r) => r.status < 500)
        .catch(() => false));
    if (answered) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  launch.seconds = ((performance.now() - submitted) * scale) / 1000;
  launch.fromPool = demo.from_pool;
}

async function run(s: Scenario): Promise<Outcome> {
  const w = await startWorld(s);
  try {
    const { app, slack, f, clock } = w;
    await until('the catalog and prices', async () => {
      const images = await app.ctx.db.selectFrom('images').select('gce_name').where('gce_name', 'in', [POOLED, UNPOOLED]).execute();
      const priced = await app.ctx.db.selectFrom('machine_prices').select('region').where('machine_type', '=', 'e2-standard-2').executeTakeFirst();
      return images.length === 2 && priced;
    });
    await slack.command({ user: 'U_ADMIN', text: `admin pool ${POOLED} ${POOL_SIZE}` });
    await until(
      'the pool to be ready',
      async () => (await app.ctx.db.selectFrom('pool_vms').select('id').where('state', '=', 'ready').execute()).length >= POOL_SIZE,
      600_000 / s.scale + 60_000,
    );
    const start = clock.now();
    const random = seeded(s.seed);
    const images: string[] = Array.from({ length: s.launches }, (_, i) => (i % 2 ? UNPOOLED : POOLED));
    for (let i = images.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [images[i], images[j]] = [images[j]!, images[i]!];
    }
    const launches: Launch[] = images.map((image, i) => ({ user: `U_B${String(i + 1).padStart(4, '0')}`, image }));
    const running: Array<Promise<void>> = [];
    for (const launch of launches) {
      running.push(launchOne(f, app, slack, launch, s.scale));
      const gapMs = (-Math.log(1 - random()) * s.meanGapS * 1000) / s.scale;
      await new Promise((r) => setTimeout(r, gapMs));
    }
    await Promise.all(running);
    const end = clock.now();
    const pool = await poolUsage(app.ctx.db, { start, end }, end);
    const made = await app.ctx.db.selectFrom('pool_vms').select('id').execute();
    if (w.errors.length) progress(`error-level log lines: ${w.errors.length}; first: ${w.errors[0]}`);
    return { launches, poolCost: pool.cost, poolCostKnown: pool.costKnown, poolVmsMade: made.length, modelMinutes: (end.getTime() - start.getTime()) / 60_000 };
  } finally {
    await w.close();
  }
}

const seconds = (ls: Launch[]) => ls.map((l) => l.seconds!).filter((v) => v !== undefined);
const byPath = (o: Outcome) => ({ pooled: o.launches.filter((l) => l.image === POOLED), unpooled: o.launches.filter((l) => l.image === UNPOOLED) });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

runMain(async () => {
  const r = result('pool');
  progress(`${LAUNCHES} launches, time compressed ${SCALE}×`);
  const main = await run({ scale: SCALE, launches: LAUNCHES, meanGapS: MEAN_GAP_S, seed: 24, jitter: true });
  const { pooled, unpooled } = byPath(main);
  const p = summarize(seconds(pooled));
  const u = summarize(seconds(unpooled));
  const served = pooled.filter((l) => l.fromPool).length;
  r.figure({ name: 'pooled image: submission → app answering, p50', value: round(p.p50), unit: 's', goal: '≤ 20 s', pass: p.p50 <= 20 });
  r.figure({ name: 'pooled image: submission → app answering, p95', value: round(p.p95), unit: 's', goal: '≤ 45 s', pass: p.p95 <= 45 });
  r.figure({ name: 'unpooled image (baseline): submission → app answering, p50 / p95', value: `${round(u.p50)} / ${round(u.p95)}`, unit: 's' });
  r.figure({ name: 'unpooled p50 / pooled p50', value: round(u.p50 / p.p50, 2), unit: '×', goal: '≥ 4×', pass: u.p50 / p.p50 >= 4 });
  r.figure({ name: 'pooled launches that found the pool empty', value: `${pooled.length - served} of ${pooled.length}`, unit: '' });
  r.figure({
    name: "pool's cost per launch it served (running while warming + suspended storage)",
    value: served ? `${(main.poolCost / served).toFixed(3)}${main.poolCostKnown ? '' : ' (some prices unknown)'}` : 'none served',
    unit: 'USD',
  });
  r.note(
    `Model time ${round(main.modelMinutes)} min for ${main.launches.length} launches (${pooled.length} pooled, ${unpooled.length} unpooled); pool VMs made ${main.poolVmsMade}; pool cost USD ${main.poolCost.toFixed(2)} over the run. ` +
      `Pooled launches served from the pool: p50 ${round(summarize(seconds(pooled.filter((l) => l.fromPool))).p50)} s; cloned because the pool was empty: ${pooled.length - served}.`,
  );

  // What compression does to the figures: the same small scenario (no jitter) at SCALE and at 1.
  progress(`compression check: ${CHECK_LAUNCHES} launches at ${SCALE}×, then in real time`);
  const check = { launches: CHECK_LAUNCHES, meanGapS: 45, seed: 7, jitter: false };
  const fast = byPath(await run({ ...check, scale: SCALE }));
  const real = byPath(await run({ ...check, scale: 1 }));
  for (const path of ['pooled', 'unpooled'] as const) {
    const a = mean(seconds(fast[path]));
    const b = mean(seconds(real[path]));
    const change = Math.abs(a - b) / b;
    r.figure({
      name: `compression check, ${path}: mean at ${SCALE}× / in real time (${fast[path].length} launches each)`,
      value: `${round(a)} / ${round(b)} s (${round(change * 100)}%)`,
      unit: '',
      goal: '< 10% apart',
      pass: change < 0.1,
    });
  }
  r.emit();
});
