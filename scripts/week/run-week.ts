/**
 * Drives one simulated week: each person's launches through the app's real Slack entry points
 * (signed `/demo launch` → the launch modal → its submission; buttons on the DMs the app sends),
 * each session's activity on the VM (sim.monitoring.activity.set), and the clock. Time moves only
 * when the app is quiescent (no Slack call, GCE request or clock sleep for a few real ms): every
 * `tickMinutes` while a VM is up (the scheduler's tasks ticked with `tick(now)`), in `stepSeconds` steps while jobs
 * wait on GCE, and straight to the next person's action when nothing runs.
 */
import { sql } from 'kysely';
import type { StoredMessage } from '../../sim/slack/index.ts';
import { IDLE_TASK } from '../../src/demos/idle-check.ts';
import { DemoIds } from '../../src/demos/ids.ts';
import { IdleIds } from '../../src/demos/idle-ids.ts';
import { LifecycleIds, NUDGE_EVENT } from '../../src/demos/lifecycle-ids.ts';
import type { PlannedDemo, SimUser } from './population.ts';
import { startWorld, type World } from './world.ts';

const MINUTE = 60_000;
const { keepRunning: KEEP_RUNNING, resume: RESUME } = IdleIds;
const EXTEND = LifecycleIds.extend;
const LEASE_TASK = 'demo-leases';
const IMAGE = 'crm-demo';
/** A person reads a DM this long after it arrives (when they read it at all). */
const READ_DELAY_MS = 30_000;

export interface WeekOptions {
  seed: number;
  users: SimUser[];
  weekStart: Date;
  days: number;
  autoSuspend: boolean;
  /** Minutes between ticks of the schedules (idle check, leases): 1 as in production; more to fit the time budget. */
  tickMinutes: number;
  /** Seconds per clock step while jobs wait on GCE or a poll (15 s follows a launch closely; more fits the budget). */
  stepSeconds: number;
  progress?: (line: string) => void;
}

/** What the simulator knows and the app cannot: when each session ran and when activity last was. */
export interface SessionLog {
  user: string;
  demoId: string | null;
  launchAt: Date;
  readyAt: Date | null;
  sessionStart: Date | null;
  /** The session's last activity (its end; breaks are inside it). */
  sessionEnd: Date | null;
  forgets: boolean;
  weekend: boolean;
  booked: boolean;
  warningsSeen: number;
  keepPresses: number;
  resumes: number;
  failed: string | null;
}

export interface WeekRun {
  world: World;
  sessions: SessionLog[];
  start: Date;
  end: Date;
  ticks: number;
  steps: number;
  idleTaskFound: boolean;
}

interface Live {
  resumePending?: boolean;
  plan: PlannedDemo;
  log: SessionLog;
  instanceName: string | null;
}

export async function runWeek(o: WeekOptions): Promise<WeekRun> {
  const start = o.weekStart;
  const end = new Date(start.getTime() + o.days * 86_400_000);
  const world = await startWorld({ seed: o.seed, users: o.users, start: new Date(start.getTime() - 5 * MINUTE) });
  const { fake, sim, app, slack, clock, time } = world;
  const db = app.ctx.db;
  const task = (name: string) => app.scheduler.tasks.find((t) => t.name === name);
  const idleTask = task(IDLE_TASK);
  const leaseTask = task(LEASE_TASK);
  if (!leaseTask) throw new Error(`no ${LEASE_TASK} task`);

  // The agenda: people's actions at their times, in order.
  const agenda: Array<{ at: number; seq: number; act: () => Promise<void> }> = [];
  let seq = 0;
  const at = (when: number, act: () => Promise<void>) => {
    agenda.push({ at: Math.max(when, time.now().getTime()), seq: seq++, act });
    agenda.sort((a, b) => a.at - b.at || a.seq - b.seq);
  };
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    const q: Promise<void> = p.catch((err) => void world.errors.push(`simulator: ${String(err?.stack ?? err)}`)).finally(() => inflight.delete(q));
    inflight.add(q);
  };

  const sessions: SessionLog[] = [];
  const byDemo = new Map<string, Live>();
  const byChannel = new Map<string, string>();
  const liveOf = new Map<string, Live>(); // user → their current demo

  const now = () => time.now().getTime();
  const inSession = (l: Live) => {
    const s = l.log.sessionStart?.getTime();
    const e = l.log.sessionEnd?.getTime();
    return s !== undefined && e !== undefined && now() >= s && now() < e;
  };
  const away = (l: Live) => {
    if (!inSession(l)) return true;
    const minute = (now() - l.log.sessionStart!.getTime()) / MINUTE;
    const seg = [...l.plan.segments].reverse().find((s) => s.from <= minute);
    return seg?.away ?? false;
  };
  const press = (user: string, m: { channel: string; ts: string }, actionId: string) =>
    slack.action({ user, on: { channel: m.channel, messageTs: m.ts }, actionId }).then((sent) => {
      if (sent.response.status !== 200) throw new Error(`${actionId} answered HTTP ${sent.response.status}`);
    });
  const hasAction = (m: StoredMessage, id: string) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${id}"`);
  const statusDm = async (demoId: string) => {
    const d = await db.selectFrom('demos').select(['dm_channel', 'dm_ts', 'state']).where('id', '=', demoId).executeTakeFirstOrThrow();
    return d.dm_channel && d.dm_ts ? { channel: d.dm_channel, ts: d.dm_ts, state: d.state } : null;
  };

  async function launch(l: Live): Promise<void> {
    const user = l.plan.user;
    const before = new Set((await db.selectFrom('demos').select('id').where('owner_id', '=', user).execute()).map((r) => r.id));
    const views = new Set(fake.views(user).map((v) => v.id));
    await slack.command({ user, text: `launch ${IMAGE}` });
    // The modal opens at once (a placeholder) and is filled in by views.update: real milliseconds.
    let modal;
    for (let i = 0; i < 2000 && !modal; i++) {
      modal = fake.views(user).find((v) => v.callback_id === DemoIds.launchView && !views.has(v.id) && JSON.stringify(v.blocks).includes('"type":"input"'));
      if (!modal) await new Promise((r) => setTimeout(r, 2));
    }
    if (!modal) throw new Error(`${user}: no launch modal`);
    const sent = await slack.submit({ user, viewId: modal.id });
    if (sent.response.status !== 200) throw new Error(`${user}: launch submission answered HTTP ${sent.response.status}`);
    // The submission is acked first; the demo row follows within real milliseconds.
    let row;
    for (let i = 0; i < 2000 && !row; i++) {
      row = (await db.selectFrom('demos').select(['id', 'instance_name']).where('owner_id', '=', user).execute()).find((r) => !before.has(r.id));
      if (!row) await new Promise((r) => setTimeout(r, 2));
    }
    if (!row) throw new Error(`${user}: the launch made no demo`);
    l.log.demoId = row.id;
    l.instanceName = row.instance_name;
    byDemo.set(row.id, l);
  }

  /** The status DM says ready: the session is planned on the VM (booked: it starts at the meeting). */
  function ready(l: Live): void {
    if (l.log.readyAt) return;
    l.log.readyAt = time.now();
    const startAt = Math.max(now(), l.plan.bookedFor?.getTime() ?? 0);
    l.log.sessionStart = new Date(startAt);
    l.log.sessionEnd = new Date(startAt + l.plan.sessionMinutes * MINUTE);
    for (const seg of l.plan.segments) sim.monitoring.activity.set(l.instanceName!, seg.pattern, new Date(startAt + seg.from * MINUTE));
    sim.monitoring.activity.set(l.instanceName!, 'idle-noise', l.log.sessionEnd);
    // Showing the demo starts with "Open the app" (the one action on a demo the app sees), after a
    // Resume if it was suspended while waiting for the meeting (bookings' automatic resume is #20's).
    at(startAt, async () => {
      const dm = await statusDm(l.log.demoId!);
      const message = dm && fake.message(dm.channel, dm.ts);
      if (!dm || !message) return;
      if (dm.state === 'suspended' && hasAction(message, RESUME)) {
        l.log.resumes++;
        await press(l.plan.user, dm, RESUME);
      } else if (hasAction(message, DemoIds.openLink)) await press(l.plan.user, dm, DemoIds.openLink);
    });
    at(l.log.sessionEnd.getTime(), async () => {
      if (l.plan.forgets || l.plan.weekend) return;
      const dm = await statusDm(l.log.demoId!);
      if (dm?.state === 'running' && hasAction(fake.message(dm.channel, dm.ts)!, DemoIds.stop)) await press(l.plan.user, dm, DemoIds.stop);
    });
  }

  /** A DM to a person: ready, an idle warning, a suspend, an expiry nudge. */
  function onMessage(m: StoredMessage): void {
    const user = byChannel.get(m.channel);
    if (!user) return;
    // Which demo the DM is about: the id its buttons carry (a person may have an older demo still up).
    const ids = JSON.stringify(m.blocks ?? []).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
    const l = ids.map((id) => byDemo.get(id)).find((x) => x?.plan.user === user) ?? liveOf.get(user);
    if (!l) return;
    if (!l.log.readyAt && /: ready\b/.test(m.text) && l.instanceName) ready(l);
    if (/could not be launched/.test(m.text)) l.log.failed = m.text.slice(0, 200);
    const reply = (actionId: string, count: () => void) =>
      at(now() + READ_DELAY_MS, async () => {
        const fresh = fake.message(m.channel, m.ts);
        if (fresh && hasAction(fresh, actionId)) {
          count();
          await press(l.plan.user, fresh, actionId);
        }
      });
    if (hasAction(m, KEEP_RUNNING)) {
      l.log.warningsSeen++;
      // Seen only by someone at the screen: in the session and not on a break.
      if (inSession(l) && !away(l)) reply(KEEP_RUNNING, () => l.log.keepPresses++);
    }
    if (hasAction(m, RESUME) && inSession(l) && !l.resumePending) {
      // Suspended mid-session (a false suspension): Resume at once, or when back from the break.
      const back = away(l) ? l.plan.segments.find((s) => !s.away && l.log.sessionStart!.getTime() + s.from * MINUTE > now()) : undefined;
      l.resumePending = true;
      at(back ? l.log.sessionStart!.getTime() + back.from * MINUTE : now(), async () => {
        l.resumePending = false;
        const dm = await statusDm(l.log.demoId!);
        if (dm?.state !== 'suspended') return;
        l.log.resumes++;
        reply(RESUME, () => undefined);
      });
    }
    if ((m.metadata as { event_type?: string } | undefined)?.event_type === NUDGE_EVENT && (l.plan.weekend || inSession(l))) {
      reply(EXTEND, () => undefined);
    }
  }
  fake.events.on('message_posted', onMessage);
  fake.events.on('message_updated', (m: StoredMessage) => onMessage(m));

  for (const u of o.users) {
    for (const plan of u.demos) {
      const log: SessionLog = {
        user: u.id,
        demoId: null,
        launchAt: plan.launchAt,
        readyAt: null,
        sessionStart: null,
        sessionEnd: null,
        forgets: plan.forgets,
        weekend: plan.weekend,
        booked: plan.bookedFor !== null,
        warningsSeen: 0,
        keepPresses: 0,
        resumes: 0,
        failed: null,
      };
      sessions.push(log);
      const l: Live = { plan, log, instanceName: null };
      at(plan.launchAt.getTime(), async () => {
        liveOf.set(u.id, l);
        await launch(l);
      });
    }
  }
  // The IM channels exist once the app first DMs someone; learn them as they appear.
  const learnChannels = () => {
    for (const u of o.users)
      if (!byChannel.has(u.id)) {
        const c = fake.imChannel(u.id);
        if (c) byChannel.set(c, u.id);
      }
  };

  const progressMark = () => fake.calls.length + sim.requests.length + clock.begun;
  /** Jobs sent and not yet taken, or being worked (pg-boss's own table; a deferred one only once due). */
  const jobsOutstanding = async () => {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE state IN ('created', 'retry') AND start_after <= now()`.execute(db);
    return Number(rows[0]!.n);
  };
  let settledAt = -1;
  /**
   * Let the app run until it is quiescent: no person's request in flight, no job waiting to be taken,
   * and no Slack call, GCE request or clock sleep for a few real ms — its jobs are then idle or all
   * waiting on the clock (a sleep, or a GCE operation's wait that the simulator answers on its timers).
   */
  const spent = { settle: 0, settleLoops: 0, lease: 0, advance: 0 };
  async function settle(): Promise<void> {
    const t0 = performance.now();
    try {
      await settleLoop();
    } finally {
      spent.settle += performance.now() - t0;
    }
  }
  async function settleLoop(): Promise<void> {
    for (let quiet = 0, i = 0; i < 20_000; i++) {
      spent.settleLoops++;
      const mark = progressMark();
      if (inflight.size === 0 && mark === settledAt && (await jobsOutstanding()) === 0) {
        if (app.ctx.jobs.runningSteps().length === 0 || ++quiet >= 2) return;
      } else quiet = 0;
      settledAt = mark;
      if (inflight.size) await Promise.race([...inflight, new Promise((r) => setTimeout(r, 2))]);
      else await new Promise((r) => setTimeout(r, 1));
    }
  }
  const UP = new Set(['PROVISIONING', 'STAGING', 'RUNNING', 'STOPPING', 'SUSPENDING']);
  const anyUp = () => sim.instances.some((i) => UP.has(i.status));

  let idleMs = 0;
  let ticks = 0;
  let steps = 0;
  let lastReport = 0;
  await time.advance(start.getTime() - now());
  while (now() < end.getTime()) {
    learnChannels();
    while (agenda.length && agenda[0]!.at <= now()) track(agenda.shift()!.act());
    const tickDue = now() % (o.tickMinutes * MINUTE) === 0;
    if (tickDue && (anyUp() || clock.sleeping > 0)) {
      ticks++;
      const l0 = performance.now();
      await leaseTask.tick(time.now());
      spent.lease += performance.now() - l0;
      if (o.autoSuspend && idleTask) {
        const t0 = performance.now();
        await idleTask.tick(time.now());
        idleMs += performance.now() - t0;
      }
    }
    await settle();
    learnChannels();
    steps++;
    const busy = clock.sleeping > 0 || app.ctx.jobs.runningSteps().length > 0 || anyUp();
    const nextMinute = (Math.floor(now() / (o.tickMinutes * MINUTE)) + 1) * o.tickMinutes * MINUTE;
    const nextAct = agenda[0]?.at ?? end.getTime();
    // Jobs waiting on GCE or on a poll's pause: finer steps, so a launch takes its realistic time.
    const waiting = clock.sleeping > 0 || app.ctx.jobs.runningSteps().length > 0;
    // While a VM is up the schedules tick at each minute, as production's cron would; else jump.
    const next = Math.min(nextAct, end.getTime(), busy ? nextMinute : Infinity, waiting ? now() + o.stepSeconds * 1000 : Infinity);
    const a0 = performance.now();
    await time.advance(Math.max(next - now(), 1));
    spent.advance += performance.now() - a0;
    if (o.progress && now() - lastReport >= 12 * 3_600_000) {
      lastReport = now();
      o.progress(`${time.now().toISOString()} · ${sim.instances.filter((i) => i.status === 'RUNNING').length} running · ${ticks} ticks · ${steps} steps`);
    }
  }
  await settle();
  o.progress?.(
    `real ms: idle-check ${Math.round(idleMs)}, lease ${Math.round(spent.lease)}, settle ${Math.round(spent.settle)} (${spent.settleLoops} loops), advance ${Math.round(spent.advance)}`,
  );
  return { world, sessions, start, end, ticks, steps, idleTaskFound: !!idleTask };
}
