import type { SimulationOptions } from '../simulate-week.ts';
import type { WeekFigures } from './report.ts';

const h = (v: number) => v.toFixed(1);
const usd = (v: number) => `USD ${v.toFixed(2)}`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The report of `npm run simulate:week` (docs/SIMULATION.md). */
export function simulationMarkdown(o: SimulationOptions, r: { on: WeekFigures; off: WeekFigures; realSeconds: number }): string {
  const { on, off } = r;
  const wasteRatio = off.wasteHours > 0 ? on.wasteHours / off.wasteHours : NaN;
  const reduction = off.vmHours > 0 ? 1 - on.vmHours / off.vmHours : NaN;
  const row = (name: string, f: (w: WeekFigures) => string) => `| ${name} | ${f(on)} | ${f(off)} |`;
  const goal = (ok: boolean) => (ok ? 'met' : '**missed**');
  return [
    '# The simulated week (`npm run simulate:week`)',
    '',
    `Seed ${o.seed} · ${o.users} simulated sales engineers · ${o.days} day(s) from ${o.weekStart.toISOString().slice(0, 10)} (UTC) · ` +
      `idle-check ticked every ${o.idleTickMinutes} min · real duration of this run **${r.realSeconds.toFixed(0)} s** (both weeks, set-up included).`,
    '',
    '## Goals',
    '',
    '| Goal | Measured | |',
    '|---|---|---|',
    `| waste with auto-suspend ≤ 25% of waste without | ${pct(wasteRatio)} (${h(on.wasteHours)} h / ${h(off.wasteHours)} h) | ${goal(wasteRatio <= 0.25)} |`,
    `| total VM-hours reduced ≥ 30% | ${pct(reduction)} (${h(on.vmHours)} h / ${h(off.vmHours)} h) | ${goal(reduction >= 0.3)} |`,
    `| 0 false suspensions | ${on.falseSuspensions} | ${goal(on.falseSuspensions === 0)} |`,
    `| both weeks in < 5 minutes real time | ${r.realSeconds.toFixed(0)} s | ${goal(r.realSeconds < 300)} |`,
    '',
    '## Figures',
    '',
    '| | auto-suspend on | auto-suspend off |',
    '|---|---|---|',
    row('launches planned / submitted / ready / failed', (w) => `${w.launchesPlanned} / ${w.launched} / ${w.ready} / ${w.failed}`),
    row('sessions held', (w) => String(w.sessions)),
    row('of the launches: forgot to stop / Friday extension over the weekend / booked', (w) => `${w.forgot} / ${w.weekend} / ${w.booked}`),
    row('VM-hours running (usage_intervals)', (w) => h(w.vmHours)),
    row('waste: running hours after each session’s last activity', (w) => h(w.wasteHours)),
    row('suspended hours (suspended_intervals)', (w) => h(w.suspendedHours)),
    row('suspensions / false suspensions (in a session)', (w) => `${w.suspensions} / ${w.falseSuspensions}`),
    row('idle warnings / Keep running presses / Resumes', (w) => `${w.warningsSeen} / ${w.keepPresses} / ${w.resumes}`),
    row('idle hours kept running by Keep running (idle_keeps)', (w) => h(w.keptIdleHours)),
    row('cost, all users (running + suspended storage)', (w) => usd(w.cost.total)),
    row('cost per user: mean / p50 / max', (w) => `${usd(w.cost.mean)} / ${usd(w.cost.p50)} / ${usd(w.cost.max)}`),
    row('heavy users’ cost', (w) => w.cost.heavy.map((x) => `${x.user} ${usd(x.cost)}`).join(', ')),
    row('schedule ticks / clock steps / real seconds', (w) => `${w.ticks} / ${w.steps} / ${w.realSeconds.toFixed(0)}`),
    row('error-level log lines of the app', (w) => String(w.errors)),
    '',
  ].join('\n');
}
