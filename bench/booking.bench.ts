/**
 * Bookings (#25): a demo booked for a time must be ready by then, and not run (be paid for) long before.
 * On the simulator's realistic profile (docs/SIMULATOR.md): a clone of a 10 GB machine image is RUNNING
 * after ~30 s, its app ~77 s later; a resume from the warm pool takes ~9 s.
 *
 * 20 bookings spread over a simulated working day (09:00–17:00, seeded), made ahead through the real
 * receiver (`/demo book <image> in <N>m`), half for a pooled image (pool of 3), half for an unpooled one
 * of the same size. The app starts each from its plan (bookings.ts: the image's p95 launch time from its
 * own history, the timing model's figure until there is some, plus a margin), run by the bookings task
 * once per model minute. Per booking: ready-by minus the moment the DM said "ready for your …" (≥ 0:
 * on time), and how long its VM ran before its time (its usage interval's start → ready-by).
 *
 * Time is compressed BENCH_BOOKING_SCALE times (default 40): the simulator's timers and the app's clock
 * (ScaledClock); the minute tasks are ticked by this bench once per model minute (node-cron's real
 * minutes would be 40 model minutes apart). A small scenario runs compressed and at 4× to show what
 * compression changes.
 *
 * Goals: ready by its time for ≥ 95% of bookings; median running before its time ≤ 5 min.
 * BENCH_QUICK=1: 4 bookings over an hour (checks the bench works; not figures).
 */
import type { StoredMessage } from './lib/fakes.ts';
import { quick, until } from './lib/env.ts';
import { progress, result, round, runMain, summarize } from './lib/report.ts';
import { APP_PORT, POOLED, startCompressedWorld, UNPOOLED } from './lib/compressed-world.ts';
import { seeded } from '../sim/seeded-random.ts';

const SCALE = Number(process.env.BENCH_BOOKING_SCALE ?? 40);
const BOOKINGS = quick(20, 4);
/** The day the bookings fall in, in model minutes from the start (09:00 → 17:00 after a 60-minute lead-in). */
const DAY = quick({ from: 60, to: 8 * 60 + 60 }, { from: 20, to: 60 });
const POOL_SIZE = 3;
const MINUTE_TASKS = ['demo-bookings', 'warm-pool', 'demo-leases'];

interface Booking {
  user: string;
  image: string;
  /** Model minutes from the start of the run. */
  inMinutes: number;
  demoId?: string;
  readyBy?: Date;
  /** When the DM said ready, and when the app behind it answered (model time). */
  readyAt?: Date;
  appAt?: Date;
  runningFrom?: Date;
  /** When the app started it (its launch_at once started). */
  startedAt?: Date;
  fromPool?: boolean;
  failed?: string;
}

interface Scenario {
  scale: number;
  bookings: number;
  day: { from: number; to: number };
  seed: number;
  jitter: boolean;
}

async function run(s: Scenario): Promise<{ bookings: Booking[]; lateTicks: number; ticks: number }> {
  const { app, slack, clock, errors, close, f } = await startCompressedWorld({
    scale: s.scale,
    seed: s.seed,
    jitter: s.jitter,
    users: s.bookings + 2,
    poolMaxVms: POOL_SIZE + 2,
    scheduler: false,
  });
  // The minute tasks, once per model minute (a tick's lateness is part of the compression error).
  let ticks = 0;
  let lateTicks = 0;
  let ticking = true;
  const tickLoop = (async () => {
    for (let minute = Math.ceil(clock.now().getTime() / 60_000); ticking; minute++) {
      const due = minute * 60_000;
      const wait = (due - clock.now().getTime()) / s.scale;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (-wait * s.scale > 30_000) lateTicks++;
      const now = clock.now();
      for (const name of MINUTE_TASKS) await app.scheduler.tasks.find((t) => t.name === name)?.tick(now);
      ticks++;
    }
  })();
  try {
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
    const bookings: Booking[] = Array.from({ length: s.bookings }, (_, i) => ({
      user: `U_B${String(i + 1).padStart(4, '0')}`,
      image: i % 2 ? UNPOOLED : POOLED,
      inMinutes: Math.round(s.day.from + random() * (s.day.to - s.day.from)),
    }));
    // Ready DMs as they come, by owner; then, in the background, the app behind it answering.
    const appPolls: Array<Promise<void>> = [];
    const watchApp = async (b: Booking) => {
      const demo = await app.ctx.db.selectFrom('demos').selectAll().where('id', '=', b.demoId!).executeTakeFirstOrThrow();
      for (;;) {
        const endpoint = f.sim.appReach.endpoint({ zone: demo.zone, instanceName: demo.instance_name, externalIp: null }, APP_PORT);
        const answered =
          endpoint &&
          (await fetch(`http://${endpoint.host}:${endpoint.port}/`)
            .then((res) => res.status < 500)
            .catch(() => false));
        if (answered) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      b.appAt = clock.now();
    };
    const onMessage = (m: StoredMessage) => {
      const b = bookings.find((x) => m.channel === f.fake.imChannel(x.user));
      if (!b || b.readyAt || b.failed) return;
      if (/is ready for your/.test(m.text)) {
        b.readyAt = clock.now();
        appPolls.push(watchApp(b));
      } else if (/could not be launched/.test(m.text)) b.failed = m.text;
    };
    f.fake.events.on('message_posted', onMessage);
    f.fake.events.on('message_updated', onMessage);
    for (const b of bookings) {
      const minutesAhead = b.inMinutes - Math.round((clock.now().getTime() - start.getTime()) / 60_000);
      await slack.command({ user: b.user, text: `book ${b.image} in ${minutesAhead}m` });
      const row = await until(`${b.user}'s booking`, () =>
        app.ctx.db.selectFrom('demos').select(['id', 'ready_by']).where('owner_id', '=', b.user).executeTakeFirst(),
      );
      b.demoId = row.id;
      b.readyBy = row.ready_by!;
    }
    progress(`${bookings.length} bookings made; the last is due in ${Math.max(...bookings.map((b) => b.inMinutes))} model minutes`);
    // Wait for every booking to be ready (or to fail), then for its app to answer.
    const lastDue = Math.max(...bookings.map((b) => b.readyBy!.getTime()));
    await until('every booking ready', () => bookings.every((b) => b.readyAt || b.failed), (lastDue - clock.now().getTime() + 20 * 60_000) / s.scale + 60_000);
    await Promise.all(appPolls);
    for (const b of bookings.filter((x) => x.readyAt)) {
      const demo = await app.ctx.db.selectFrom('demos').select(['from_pool', 'launch_at']).where('id', '=', b.demoId!).executeTakeFirstOrThrow();
      b.startedAt = demo.launch_at ?? undefined;
      const interval = await app.ctx.db
        .selectFrom('usage_intervals')
        .select('started_at')
        .where('demo_id', '=', b.demoId!)
        .orderBy('started_at')
        .executeTakeFirst();
      b.runningFrom = interval?.started_at;
      b.fromPool = demo.from_pool;
    }
    if (errors.length) progress(`error-level log lines: ${errors.length}; first: ${errors[0]}`);
    return { bookings, lateTicks, ticks };
  } finally {
    ticking = false;
    await tickLoop.catch(() => {});
    await close();
  }
}

const early = (b: Booking) => (b.readyBy!.getTime() - b.readyAt!.getTime()) / 1000;
const runningBefore = (b: Booking) => Math.max(0, (b.readyBy!.getTime() - (b.runningFrom ?? b.readyBy!).getTime()) / 1000);

runMain(async () => {
  const r = result('booking');
  progress(`${BOOKINGS} bookings over a simulated day, time compressed ${SCALE}×`);
  const main = await run({ scale: SCALE, bookings: BOOKINGS, day: DAY, seed: 25, jitter: true });
  const ready = main.bookings.filter((b) => b.readyAt);
  const onTime = ready.filter((b) => early(b) >= 0);
  const share = onTime.length / main.bookings.length;
  const before = summarize(ready.map(runningBefore));
  r.figure({
    name: 'bookings ready by their time (ready-by − DM "ready" ≥ 0)',
    value: `${onTime.length} of ${main.bookings.length}`,
    unit: '',
    goal: '≥ 95%',
    pass: share >= 0.95,
  });
  r.figure({
    name: 'time a booked VM runs before its time (usage start → ready-by), median / max',
    value: `${round(before.p50 / 60, 2)} / ${round(before.max / 60, 2)}`,
    unit: 'min',
    goal: 'median ≤ 5 min',
    pass: before.p50 <= 300,
  });
  for (const pooled of [true, false]) {
    const path = ready.filter((b) => b.image === (pooled ? POOLED : UNPOOLED));
    const e = summarize(path.map(early));
    const served = path.filter((b) => b.fromPool).length;
    r.figure({
      name: `${pooled ? 'pooled' : 'unpooled'} image: ready-by − ready, min / p50 / max${pooled ? ` (${served} of ${path.length} from the pool)` : ''}`,
      value: `${round(Math.min(...path.map(early)))} / ${round(e.p50)} / ${round(e.max)}`,
      unit: 's',
    });
  }
  const appLate = ready.filter((b) => b.appAt && b.appAt > b.readyBy!).length;
  r.note(
    `Per booking (image, ready-by − ready s, ran before its time s): ${main.bookings
      .map((b) =>
        b.readyAt
          ? `${b.image === POOLED ? 'P' : 'U'}${b.fromPool === false && b.image === POOLED ? '(cloned)' : ''} ${round(early(b))}/${round(runningBefore(b))}`
          : `${b.image} FAILED ${b.failed ?? 'never ready'}`,
      )
      .join('; ')}. ` +
      `"Ready" is the DM (the VM RUNNING, as every launch's "ready in N s"); the app behind it answered after its time for ${appLate} of ${ready.length} ` +
      `(an unpooled clone's app starts ~77 s after RUNNING). Minute ticks: ${main.ticks}, ${main.lateTicks} more than 30 model seconds late.`,
  );

  // What compression changes: the same two bookings (no jitter) at SCALE and at 4×, start → ready (the minute
  // tick's phase, which moves the start by up to a minute either way, is left out).
  progress(`compression check: 2 bookings at ${SCALE}×, then at 4×`);
  const check = { bookings: 2, day: { from: 8, to: 8 }, seed: 3, jitter: false };
  const fast = await run({ ...check, scale: SCALE });
  const slow = await run({ ...check, scale: 4 });
  for (const i of [0, 1]) {
    const a = fast.bookings[i]!;
    const b = slow.bookings[i]!;
    if (!a.readyAt || !b.readyAt) continue;
    const took = (x: Booking) => (x.readyAt!.getTime() - x.startedAt!.getTime()) / 1000;
    r.figure({
      name: `compression check, ${a.image === POOLED ? 'pooled' : 'unpooled'}: start → ready at ${SCALE}× / at 4×`,
      value: `${round(took(a))} / ${round(took(b))} s (${round(took(a) - took(b))} s more compressed)`,
      unit: '',
    });
  }
  r.emit();
});
