/**
 * `npm run simulate:week`: a week of 200 simulated sales engineers against the real app on the GCE
 * simulator (realistic profile) and the Cloud Monitoring fake, on a driven clock — once with
 * auto-suspend on and once with it off (the idle-check task not ticked), in one run. Writes the
 * report to docs/SIMULATION.md and prints it. docs/SIMULATION.md says how the week is modelled.
 *
 * SIM_SEED (default 26), SIM_USERS (200), SIM_DAYS (7), SIM_TICK_MINUTES (1), SIM_STEP_SECONDS (60), SIM_DB (postgres; pglite),
 * SIM_REPORT (a path, default docs/SIMULATION.md; `-` prints only).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { DEFAULT_POPULATION, population } from './week/population.ts';
import { weekFigures, type WeekFigures } from './week/report.ts';
import { runWeek } from './week/run-week.ts';
import { simulationMarkdown } from './week/markdown.ts';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
  return v;
};

export interface SimulationOptions {
  seed: number;
  users: number;
  days: number;
  tickMinutes: number;
  stepSeconds: number;
  weekStart: Date;
}

export async function simulate(o: SimulationOptions, progress: (line: string) => void = () => undefined) {
  const began = performance.now();
  const loadBefore = loadavg()[0]!;
  const users = population({ ...DEFAULT_POPULATION, seed: o.seed, users: o.users, days: o.days, weekStart: o.weekStart, heavyUsers: Math.min(5, o.users) });
  // Both weeks at once, each in its own world (database, fakes, clock): the app mostly waits on
  // PostgreSQL, so two worlds keep the machine's two cores busier than one after the other.
  const weeks = await Promise.all(
    [true, false].map(async (autoSuspend): Promise<WeekFigures> => {
      const t0 = performance.now();
      const tag = autoSuspend ? 'on' : 'off';
      const say = (line: string) => progress(`[${tag}] ${line}`);
      const run = await runWeek({
        seed: o.seed,
        users,
        weekStart: o.weekStart,
        days: o.days,
        autoSuspend,
        tickMinutes: o.tickMinutes,
        stepSeconds: o.stepSeconds,
        progress: say,
      });
      try {
        if (autoSuspend && !run.idleTaskFound) say('no idle-check task in this app: the "on" week ran without auto-suspend');
        for (const e of run.world.errors.slice(0, 8)) say(`error: ${e}`);
        return await weekFigures(run.world.app.ctx.db, {
          sessions: run.sessions,
          start: run.start,
          end: run.end,
          users,
          autoSuspend,
          ticks: run.ticks,
          steps: run.steps,
          realSeconds: (performance.now() - t0) / 1000,
          errors: run.world.errors.length,
        });
      } finally {
        await run.world.close();
      }
    }),
  );
  const load = { before: loadBefore, after: loadavg()[0]!, cpus: availableParallelism() };
  return { on: weeks[0]!, off: weeks[1]!, users, load, realSeconds: (performance.now() - began) / 1000 };
}

if (import.meta.main) {
  const o: SimulationOptions = {
    seed: num('SIM_SEED', 26),
    users: num('SIM_USERS', DEFAULT_POPULATION.users),
    days: num('SIM_DAYS', DEFAULT_POPULATION.days),
    tickMinutes: num('SIM_TICK_MINUTES', 1),
    stepSeconds: num('SIM_STEP_SECONDS', 60),
    weekStart: new Date('2026-03-02T00:00:00Z'),
  };
  const result = await simulate(o, (line) => console.error(line));
  const markdown = simulationMarkdown(o, result);
  const out = process.env.SIM_REPORT ?? 'docs/SIMULATION.md';
  if (out !== '-') writeFileSync(out, markdown);
  console.log(markdown);
  process.exit(0);
}
