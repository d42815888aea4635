/**
 * `npm run simulate:week`: a week of 200 simulated sales engineers against the real app on the GCE
 * simulator (realistic profile) and the Cloud Monitoring fake, on a driven clock — once with
 * auto-suspend on and once with it off (the idle-check task not ticked), in one run. Writes the
 * report to docs/SIMULATION.md and prints it. docs/SIMULATION.md says how the week is modelled.
 *
 * SIM_SEED (default 26), SIM_USERS (200), SIM_DAYS (7), SIM_IDLE_TICK_MINUTES (1),
 * SIM_REPORT (a path, default docs/SIMULATION.md; `-` prints only).
 */
import { writeFileSync } from 'node:fs';
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
  idleTickMinutes: number;
  weekStart: Date;
}

export async function simulate(o: SimulationOptions, progress: (line: string) => void = () => undefined) {
  const began = performance.now();
  const users = population({ ...DEFAULT_POPULATION, seed: o.seed, users: o.users, days: o.days, weekStart: o.weekStart, heavyUsers: Math.min(5, o.users) });
  const weeks: WeekFigures[] = [];
  for (const autoSuspend of [true, false]) {
    const t0 = performance.now();
    progress(`week with auto-suspend ${autoSuspend ? 'on' : 'off'}…`);
    const run = await runWeek({ seed: o.seed, users, weekStart: o.weekStart, days: o.days, autoSuspend, idleTickMinutes: o.idleTickMinutes, progress });
    try {
      if (autoSuspend && !run.idleTaskFound) progress('no idle-check task in this app: the "on" week ran without auto-suspend');
      weeks.push(
        await weekFigures(run.world.app.ctx.db, {
          sessions: run.sessions,
          start: run.start,
          end: run.end,
          users,
          autoSuspend,
          ticks: run.ticks,
          steps: run.steps,
          realSeconds: (performance.now() - t0) / 1000,
          errors: run.world.errors.length,
        }),
      );
      for (const e of run.world.errors.slice(0, 5)) progress(`error: ${e}`);
    } finally {
      await run.world.close();
    }
  }
  return { on: weeks[0]!, off: weeks[1]!, users, idleTaskFound: true, realSeconds: (performance.now() - began) / 1000 };
}

if (import.meta.main) {
  const o: SimulationOptions = {
    seed: num('SIM_SEED', 26),
    users: num('SIM_USERS', DEFAULT_POPULATION.users),
    days: num('SIM_DAYS', DEFAULT_POPULATION.days),
    idleTickMinutes: num('SIM_IDLE_TICK_MINUTES', 1),
    weekStart: new Date('2026-03-02T00:00:00Z'),
  };
  const result = await simulate(o, (line) => console.error(line));
  const markdown = simulationMarkdown(o, result);
  const out = process.env.SIM_REPORT ?? 'docs/SIMULATION.md';
  if (out !== '-') writeFileSync(out, markdown);
  console.log(markdown);
  process.exit(0);
}
