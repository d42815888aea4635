/**
 * Launch: how long from pressing Launch until the DM says the demo is ready, when only the app takes
 * time. 20 launches submitted at once on the GCE simulator with zero delay and a fake Slack without
 * rate limits, so what is measured is the app's own overhead (web → job queue in PostgreSQL → worker
 * → GCE → database → Slack calls): from sending the launch modal's view_submission to the fake Slack
 * handling the message edit that says "ready".                                                p99 < 1 s
 * The app runs as production runs it: a web process (ROLE=web) takes the submission, a worker process
 * (ROLE=worker) runs the launch jobs against the simulator over HTTP (GCE_API_ENDPOINT); src/main.ts,
 * default job tuning. Per-stage times (queued → creating → booting → ready, as seen in the DM) say
 * where time goes. Then the worker's resident memory (VmRSS) after the launches.            < 500 MB
 *
 * BENCH_QUICK=1: 2 warm-up launches, then 5 (checks the bench works; not figures).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredMessage, StoredView } from './lib/fakes.ts';
import { benchUsers, catalogSynced, errorNote, freshDatabase, quick, startFakes, startRoles, until, type Fakes } from './lib/env.ts';
import { openLaunchModal } from './lib/flows.ts';
import { progress, result, round, runMain, summarize } from './lib/report.ts';

const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? quick(20, 5));
const WARMUP = quick(4, 2);
const IMAGE = 'bench-plain';
// What the status DM says at each stage (src/demos/views.ts statusMessage's text).
const STAGES: Array<[string, RegExp]> = [
  ['queued', /Queued/],
  ['creating', /Creating/],
  ['booting', /Booting/],
  ['ready', /: ready\b/],
];

interface Timeline {
  submitted: number;
  seen: Record<string, number>;
}

/** Watch the fake's DMs: the first time each user's status message reaches each stage. */
function watchStages(f: Fakes, timelines: Map<string, Timeline>): () => void {
  const onMessage = (m: StoredMessage) => {
    const user = [...timelines.keys()].find((u) => f.fake.imChannel(u) === m.channel);
    const t = user ? timelines.get(user) : undefined;
    if (!t) return;
    for (const [stage, re] of STAGES) if (re.test(m.text) && t.seen[stage] === undefined) t.seen[stage] = performance.now();
  };
  f.fake.events.on('message_posted', onMessage);
  f.fake.events.on('message_updated', onMessage);
  return () => {
    f.fake.events.off('message_posted', onMessage);
    f.fake.events.off('message_updated', onMessage);
  };
}

/** Open one launch modal per user, then submit them all at once; resolves when every DM says ready. */
async function launchAll(f: Fakes, slack: Parameters<typeof openLaunchModal>[1], users: string[]): Promise<Map<string, Timeline>> {
  const modals = new Map<string, StoredView>();
  for (const user of users) modals.set(user, await openLaunchModal(f, slack, user, IMAGE));
  const timelines = new Map<string, Timeline>(users.map((u) => [u, { submitted: 0, seen: {} }]));
  const stop = watchStages(f, timelines);
  try {
    await Promise.all(
      users.map(async (user) => {
        timelines.get(user)!.submitted = performance.now();
        const sent = await slack.submit({ user, viewId: modals.get(user)!.id });
        if (sent.response.status !== 200) throw new Error(`launch submission answered ${sent.response.status}`);
      }),
    );
    await until('every launch to be ready', () => [...timelines.values()].every((t) => t.seen['ready'] !== undefined), 120_000);
  } finally {
    stop();
  }
  return timelines;
}

runMain(async () => {
  const r = result('launch');
  const f = await startFakes({ users: WARMUP + LAUNCHES });
  // An image without a declared app: no readiness probe runs beside the launches.
  f.sim.addMachineImage({ name: IMAGE, description: 'Plain VM for the launch benchmark.', labels: { 'demo-vm-catalog': 'true' }, machineType: 'e2-medium' });
  const database = await freshDatabase();
  const roles = await startRoles(f, database.url);
  const { web, worker, slack } = roles;
  try {
    await catalogSynced(database.handle, 5);
    const people = benchUsers(WARMUP + LAUNCHES).map((u) => u.id);
    progress(`warm-up: ${WARMUP} launches`);
    await launchAll(f, slack, people.slice(0, WARMUP));
    await sleep(3_000);
    progress(`${LAUNCHES} concurrent launches`);
    const mark = f.fake.mark();
    const timelines = await launchAll(f, slack, people.slice(WARMUP));

    const total = summarize([...timelines.values()].map((t) => t.seen['ready']! - t.submitted));
    r.figure({ name: `submission → ready, ${LAUNCHES} concurrent: p50`, value: round(total.p50, 0), unit: 'ms' });
    r.figure({ name: `submission → ready, ${LAUNCHES} concurrent: p99`, value: round(total.p99, 0), unit: 'ms', goal: '< 1000 ms', pass: total.p99 < 1000 });
    // When each stage first showed in the DM (a stage can be skipped when updates land close together).
    for (const [stage] of STAGES) {
      const g = summarize([...timelines.values()].flatMap((t) => (t.seen[stage] === undefined ? [] : [t.seen[stage]! - t.submitted])));
      r.figure({
        name: `  submission → DM says "${stage}": p50 / max (n=${g.n})`,
        value: g.n ? `${round(g.p50, 0)} / ${round(g.max, 0)}` : 'never shown (edits coalesced)',
        unit: g.n ? 'ms' : '',
      });
    }
    await sleep(1_000);
    const calls = f.fake.calls.slice(mark);
    const per = (m: string) => round(calls.filter((c) => c.method === m).length / LAUNCHES, 1);
    r.note(
      `Slack calls per launch: chat.postMessage ${per('chat.postMessage')}, chat.update ${per('chat.update')}, conversations.history ${per('conversations.history')}, views.publish ${per('views.publish')}.`,
    );
    r.note(`GCE simulator: zero operation and boot time; ${f.sim.instances.length} instances exist at the end (${WARMUP} warm-up + ${LAUNCHES}).`);
    const workerRss = worker.rssMb();
    r.figure({
      name: `worker RSS after ${WARMUP} + ${LAUNCHES} launches (${LAUNCHES} concurrent)`,
      value: workerRss,
      unit: 'MB',
      goal: '< 500 MB',
      pass: workerRss < 500,
    });
    r.figure({ name: 'web RSS after the launches', value: web.rssMb(), unit: 'MB' });
    r.note(`App error-level log lines: ${errorNote([web, worker])}.`);
    if (process.env.BENCH_DEBUG) {
      for (const [u, t] of timelines)
        process.stderr.write(`${u} ${JSON.stringify(Object.fromEntries(Object.entries(t.seen).map(([k, v]) => [k, Math.round(v - t.submitted)])))}\n`);
    }
    r.emit();
  } finally {
    await roles.stop();
    await database.drop();
    await f.close();
  }
});
