/**
 * How much Slack traffic one web process takes: the highest sustained rate at which it keeps every
 * ack well inside Slack's 3 s (p99 < 1 s), found by a step search.
 *
 * One web process (ROLE=web) and one worker process (ROLE=worker), fresh PostgreSQL, fake Slack and
 * GCE simulator (zero delay) in this process, set up as in ack.bench.ts. After a 5 s warm-up at 200/s,
 * steps of 30 s each at 300, 400, 500, 600, 800, 1000, 1200, 1600 requests/s of the same mix
 * (lib/mixed-load.ts), open loop: requests leave on schedule whatever the app's answers, as Slack sends
 * them. Between steps the app finishes the last step's work (the fake Slack quiet for 1 s). A step
 * passes when the ack p99 < 1 s, every request was answered 200 within 10 s, and the generator really
 * sent at the rate (≥ 97 % of it; the bench process shares the machine's cores with the app, and a
 * rate it could not produce is not a rate the app kept up with). The search stops at the first step
 * that fails; the figure is the highest passing rate.                                       ≥ 500 /s
 *
 * BENCH_QUICK=1: steps 300 and 500 of 3 s each (checks the bench works; not figures).
 * BENCH_CAPACITY_STEPS=300,500,800 overrides the steps.
 */
import { addPlainImage, prepareMix, quiet, runMix, totalUsers, type MixedRun } from './lib/mixed-load.ts';
import { errorNote, freshDatabase, quick, startFakes, startRoles } from './lib/env.ts';
import { progress, result, round, runMain } from './lib/report.ts';

const STEPS = (process.env.BENCH_CAPACITY_STEPS ?? quick('300,400,500,600,800,1000,1200,1600', '300,500')).split(',').map(Number);
const SECONDS = Number(process.env.BENCH_CAPACITY_SECONDS ?? quick(30, 3));
const WARMUP_SECONDS = quick(5, 1);
const ACK_P99_LIMIT_MS = 1_000;
const GOAL = 500;
// Enough people that, at the highest step, a filter user or owner rarely still waits for an answer.
const SIZES = quick({ commandUsers: 2000, filterUsers: 300, demos: 100 }, { commandUsers: 100, filterUsers: 30, demos: 10 });

interface Step {
  rate: number;
  run: MixedRun;
  pass: boolean;
  why: string;
}

function judge(rate: number, run: MixedRun): Step {
  const why: string[] = [];
  if (!(run.ack.all.p99 < ACK_P99_LIMIT_MS)) why.push(`ack p99 ${round(run.ack.all.p99, 0)} ms`);
  if (run.load.non2xx || run.load.errors) why.push(`${run.load.non2xx} non-200, ${run.load.errors} unanswered in 10 s`);
  if (run.sendRate < rate * 0.97) why.push(`only ${round(run.sendRate, 0)}/s sent`);
  return { rate, run, pass: why.length === 0, why: why.join(', ') };
}

runMain(async () => {
  const r = result('capacity');
  const f = await startFakes({ users: totalUsers(SIZES) });
  addPlainImage(f);
  const database = await freshDatabase();
  const roles = await startRoles(f, database.url);
  const { web, worker } = roles;
  const steps: Step[] = [];
  try {
    const mix = await prepareMix(f, roles.slack, database.handle, SIZES);
    await quiet(f);
    progress(`warm-up ${WARMUP_SECONDS} s at 200/s`);
    await runMix(mix, web.receiverUrl, 200, WARMUP_SECONDS);
    await quiet(f);
    for (const rate of STEPS) {
      progress(`${rate} requests/s for ${SECONDS} s`);
      const step = judge(rate, await runMix(mix, web.receiverUrl, rate, SECONDS));
      steps.push(step);
      progress(
        `  ${step.pass ? 'pass' : `fail (${step.why})`}: ack p50 ${round(step.run.ack.all.p50, 1)} ms, p99 ${round(step.run.ack.all.p99, 1)} ms; web RSS ${web.rssMb()} MB`,
      );
      if (!step.pass) break;
      await quiet(f, 1_000, 60_000);
    }
    const best = steps.filter((s) => s.pass).at(-1)?.rate ?? 0;
    const ms = (v: number) => (Number.isFinite(v) ? round(v, 1) : '∞');
    r.figure({
      name: `highest rate one web process sustains for ${SECONDS} s with ack p99 < 1 s (steps ${STEPS.join(', ')})`,
      value: best ? best : 'none passed',
      unit: best ? 'requests/s' : '',
      goal: `≥ ${GOAL} requests/s`,
      pass: best >= GOAL,
    });
    for (const s of steps) {
      const a = s.run.ack.all;
      r.figure({
        name: `  ${s.rate}/s: ack p50 / p99 / max (n=${a.n}); click → visible p99${s.pass ? '' : `; FAILED: ${s.why}`}`,
        value: `${ms(a.p50)} / ${ms(a.p99)} / ${ms(a.max)}; ${ms(s.run.visible.clicks.p99)}`,
        unit: 'ms',
      });
    }
    r.figure({ name: 'web / worker RSS after the search', value: `${web.rssMb()} / ${worker.rssMb()}`, unit: 'MB' });
    for (const s of steps) {
      r.note(
        `${s.rate}/s: sent ${s.run.load.sent} at ${round(s.run.sendRate, 0)}/s (late p99 ${round(s.run.load.lateP99, 1)} ms); non-200 ${s.run.load.non2xx}, unanswered ${s.run.load.errors}; ` +
          `clicks sent as /demo browse because everyone waited: ${JSON.stringify(s.run.substituted)}; fake Slack refused: ${JSON.stringify(s.run.refused)}; ` +
          `event-loop delay p99: generator ${round(s.run.load.loopDelayP99, 1)} ms, fake Slack ${round(s.run.mainLoopDelayP99, 1)} ms.`,
      );
    }
    r.note(`App error-level log lines: ${errorNote([web, worker])}.`);
    r.emit();
  } finally {
    await roles.stop();
    await database.drop();
    await f.close();
  }
});
