/**
 * The week's figures, from the app's own ledger (usage_intervals, suspended_intervals, idle_keeps)
 * and the simulator's activity log (when each session ran), never from the driver's guesses.
 */
import { suspendedUsage } from '../../src/accounting/suspended-usage.ts';
import { usageSummary } from '../../src/accounting/store.ts';
import type { Db } from '../../src/platform/db.ts';
import type { SessionLog } from './run-week.ts';
import type { SimUser } from './population.ts';

const HOUR = 3_600_000;

export interface WeekFigures {
  autoSuspend: boolean;
  launchesPlanned: number;
  launched: number;
  ready: number;
  failed: number;
  sessions: number;
  forgot: number;
  weekend: number;
  booked: number;
  vmHours: number;
  wasteHours: number;
  suspendedHours: number;
  suspensions: number;
  falseSuspensions: number;
  /** Each false suspension: whose, when in the session, and when its warning went out. */
  falseSuspensionList: Array<{ user: string; booked: boolean; sessionStart: Date; suspendedAt: Date; warnedAt: Date | null }>;
  warningsSeen: number;
  keepPresses: number;
  resumes: number;
  keptIdleHours: number;
  cost: { total: number; mean: number; p50: number; max: number; heavy: Array<{ user: string; cost: number }> };
  ticks: number;
  steps: number;
  realSeconds: number;
  errors: number;
}

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

export async function weekFigures(
  db: Db,
  r: {
    sessions: SessionLog[];
    start: Date;
    end: Date;
    users: SimUser[];
    autoSuspend: boolean;
    ticks: number;
    steps: number;
    realSeconds: number;
    errors: number;
  },
): Promise<WeekFigures> {
  const s0 = r.start.getTime();
  const s1 = r.end.getTime();
  const [usage, suspended, keeps, summary, saving] = await Promise.all([
    db.selectFrom('usage_intervals').select(['demo_id', 'user_id', 'started_at', 'ended_at']).execute(),
    db.selectFrom('suspended_intervals').select(['demo_id', 'started_at', 'ended_at']).execute(),
    db.selectFrom('idle_keeps').select(['pressed_at', 'ended_at']).execute(),
    usageSummary(db, { start: r.start, end: r.end, now: r.end }),
    suspendedUsage(db, { start: r.start, end: r.end }, r.end),
  ]);
  const spans = <T extends { started_at: Date; ended_at: Date | null }>(rows: T[]) =>
    rows.map((x) => ({ ...x, a: x.started_at.getTime(), b: x.ended_at?.getTime() ?? s1 }));
  const running = spans(usage);
  const sleeping = spans(suspended);
  const vmHours = running.reduce((h, x) => h + overlap(x.a, x.b, s0, s1), 0) / HOUR;
  const suspendedHours = sleeping.reduce((h, x) => h + overlap(x.a, x.b, s0, s1), 0) / HOUR;
  const sessionOf = new Map(r.sessions.filter((s) => s.demoId).map((s) => [s.demoId!, s]));
  // Waste: a demo's running time after its session's last activity (until stop, suspend or delete).
  let waste = 0;
  for (const x of running) {
    const s = sessionOf.get(x.demo_id);
    if (!s?.sessionEnd) continue;
    waste += overlap(x.a, x.b, Math.max(s0, s.sessionEnd.getTime()), s1);
  }
  const falseOnes = sleeping.filter((x) => {
    const s = sessionOf.get(x.demo_id);
    return !!s?.sessionStart && x.a >= s.sessionStart.getTime() && x.a < s.sessionEnd!.getTime();
  });
  const warnings = falseOnes.length
    ? await db
        .selectFrom('audit_log')
        .select(['resource_id', 'at'])
        .where('action', '=', 'demo.idle_warning')
        .where(
          'resource_id',
          'in',
          falseOnes.map((x) => x.demo_id),
        )
        .execute()
    : [];
  const falseSuspensionList = falseOnes.map((x) => {
    const s = sessionOf.get(x.demo_id)!;
    const warned = warnings.filter((w) => w.resource_id === x.demo_id && w.at.getTime() <= x.a).map((w) => w.at.getTime());
    return {
      user: s.user,
      booked: s.booked,
      sessionStart: s.sessionStart!,
      suspendedAt: x.started_at,
      warnedAt: warned.length ? new Date(Math.max(...warned)) : null,
    };
  });
  const keptIdleHours = keeps.reduce((h, k) => h + overlap(k.pressed_at.getTime(), k.ended_at?.getTime() ?? s1, s0, s1), 0) / HOUR;
  const costs = r.users
    .map((u) => ({ user: u.id, heavy: u.heavy, cost: (summary.byUser.get(u.id)?.cost ?? 0) + (saving.byUser.get(u.id)?.storageCost ?? 0) }))
    .sort((a, b) => a.cost - b.cost);
  const total = costs.reduce((c, u) => c + u.cost, 0);
  const sum = (f: (s: SessionLog) => number) => r.sessions.reduce((n, s) => n + f(s), 0);
  return {
    autoSuspend: r.autoSuspend,
    launchesPlanned: r.sessions.length,
    launched: sum((s) => (s.demoId ? 1 : 0)),
    ready: sum((s) => (s.readyAt ? 1 : 0)),
    failed: sum((s) => (s.failed ? 1 : 0)),
    sessions: sum((s) => (s.sessionStart && s.sessionStart.getTime() < s1 ? 1 : 0)),
    forgot: sum((s) => (s.forgets ? 1 : 0)),
    weekend: sum((s) => (s.weekend ? 1 : 0)),
    booked: sum((s) => (s.booked ? 1 : 0)),
    vmHours,
    wasteHours: waste / HOUR,
    suspendedHours,
    suspensions: sleeping.filter((x) => x.a >= s0 && x.a < s1).length,
    falseSuspensions: falseOnes.length,
    falseSuspensionList,
    warningsSeen: sum((s) => s.warningsSeen),
    keepPresses: sum((s) => s.keepPresses),
    resumes: sum((s) => s.resumes),
    keptIdleHours,
    cost: {
      total,
      mean: total / Math.max(costs.length, 1),
      p50: costs[Math.floor(costs.length / 2)]?.cost ?? 0,
      max: costs.at(-1)?.cost ?? 0,
      heavy: costs.filter((c) => c.heavy).map(({ user, cost }) => ({ user, cost })),
    },
    ticks: r.ticks,
    steps: r.steps,
    realSeconds: r.realSeconds,
    errors: r.errors,
  };
}
