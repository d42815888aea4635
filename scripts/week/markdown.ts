import type { SimulationOptions } from '../simulate-week.ts';
import type { WeekFigures } from './report.ts';

const h = (v: number) => v.toFixed(1);
const usd = (v: number) => `USD ${v.toFixed(2)}`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The report of `npm run simulate:week` (docs/SIMULATION.md). */
export function simulationMarkdown(
  o: SimulationOptions,
  r: { on: WeekFigures; off: WeekFigures; realSeconds: number; load: { before: number; after: number; cpus: number } },
): string {
  const { on, off } = r;
  const wasteRatio = off.wasteHours > 0 ? on.wasteHours / off.wasteHours : NaN;
  const reduction = off.vmHours > 0 ? 1 - on.vmHours / off.vmHours : NaN;
  const row = (name: string, f: (w: WeekFigures) => string) => `| ${name} | ${f(on)} | ${f(off)} |`;
  const goal = (ok: boolean) => (ok ? 'met' : '**missed**');
  return [
    '# The simulated week (`npm run simulate:week`)',
    '',
    `Seed ${o.seed} · ${o.users} simulated sales engineers · ${o.days} day(s) from ${o.weekStart.toISOString().slice(0, 10)} (UTC) · ` +
      `the schedules (idle check, leases) ticked every ${o.tickMinutes} min of simulated time, clock steps of ${o.stepSeconds} s while jobs wait · real duration of this run **${r.realSeconds.toFixed(0)} s** (both weeks, set-up included; ` +
      `${r.load.cpus} CPUs, 1-minute load average ${r.load.before.toFixed(1)} at the start and ${r.load.after.toFixed(1)} at the end: the machine is shared).`,
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
    ...(on.falseSuspensionList.length
      ? [
          '### False suspensions (auto-suspend on)',
          '',
          ...on.falseSuspensionList.map(
            (f) =>
              `- ${f.user}${f.booked ? ' (a booked demo, launched ahead of the meeting)' : ''}: warned ${f.warnedAt ? f.warnedAt.toISOString() : '—'}, ` +
              `session from ${f.sessionStart.toISOString()}, suspended ${f.suspendedAt.toISOString()} ` +
              `(${((f.suspendedAt.getTime() - f.sessionStart.getTime()) / 60_000).toFixed(1)} min into it).`,
          ),
          '',
        ]
      : []),
    ...MODEL,
  ].join('\n');
}

/** How the week is modelled and driven: fixed text, the figures above are the run's. */
const MODEL = [
  '## How the week is modelled',
  '',
  '- **People** (scripts/week/population.ts, seeded mulberry32): time zones from Los Angeles to Singapore; launches per week Poisson with mean 4 ' +
    '(the five heavy users: mean 15), Monday to Friday, at a uniform time between 09:00 and 17:00 of their own time zone; one demo at a time per person. ' +
    'A session lasts 30–120 min from the VM being ready: screen-share (5–25 min) and a customer reading slowly (3–15 min) in turns, with 0–2 breaks of ' +
    '5–15 min (idle-noise, the person away from the screen); after the session the VM shows idle-noise. 30% forget to stop (the VM runs until its ' +
    'time to live, 8 h, stops it); half of the Friday-afternoon demos are kept for Monday (Extend pressed on every expiry nudge, never stopped: up to ' +
    'the 72 h cap). 10% are booked demos: the bookings feature (#25) is not on main yet, so a booked demo is a launch 15–45 min ahead of the meeting, ' +
    'idle until the meeting starts (a person finding it suspended presses Resume).',
  '- **Acting through the real entry points**: every launch is a signed `/demo launch crm-demo` to the real Bolt receiver, the launch modal from the fake ' +
    'Slack, and its signed submission; Stop, Extend, Keep running, Resume and "Open the app" are signed block_actions on the DMs the app sent. A person ' +
    'answers an idle warning with Keep running only when they see it: in a session and not on a break (30 s after it arrives); a suspend that lands in a ' +
    'session (a false suspension) is answered with Resume when they are back at the screen.',
  "- **Activity**: at the moment the DM says ready, the session's segments are planned on the VM with `sim.monitoring.activity.set` (the Cloud " +
    "Monitoring fake serves the series from them, with its 60–240 s visibility delay). The waste is measured from the simulator's log of each session's " +
    "end (its last activity) against the app's usage_intervals; false suspensions are suspended_intervals that began inside a session.",
  "- **Driven clock**: the GCE simulator (realistic profile) and the Monitoring fake run on one SimTime; the app's clock is a VirtualClock on the same " +
    'SimTime (scripts/week/virtual-clock.ts) whose `sleep` is a timer there, so the polls of vm-steps.ts (PollBudget, waitForStatus) take no real time. ' +
    'The app runs with its scheduler off and the script calls the tasks\' `tick(now)` (demo-leases and demo-idle; "off" is the same app with ' +
    "demo-idle not ticked). Everything delayed is a column plus a once-a-minute task reading `ctx.clock` (the idle warning's `idle_warned_at`, " +
    "expiry nudges' `expires_at`); nothing in the demo flows uses pg-boss `startAfter` (the only use in src/ is the comment-DM batching). Time moves " +
    "only when the app is quiescent: no person's request in flight, no pg-boss job waiting to be taken, and no Slack call, GCE request or clock sleep " +
    'begun for a few real milliseconds; it steps by `SIM_STEP_SECONDS` while jobs run, ticks the schedules while a VM is up, and jumps to the next action otherwise.',
  "- **Database**: the machine's PostgreSQL (a fresh database per week), where pg-boss wakes workers by LISTEN/NOTIFY; `SIM_DB=pglite` runs " +
    'each week on an embedded PGlite of its own instead, to compare.',
  '',
];
