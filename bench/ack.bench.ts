/**
 * What a Slack user feels under steady traffic: how fast each request is acked, how long until a click
 * shows its result, and the web process's memory after it.
 *
 * The app runs as production runs it: one web process (ROLE=web) and one worker process (ROLE=worker),
 * separate OS processes sharing only a fresh PostgreSQL database, against the fake Slack and the GCE
 * simulator (zero delay, over HTTP) in this process. Set-up through the real receiver: every owner
 * launches one demo, every filter user opens the catalog.
 *
 * Load: 200 signed requests/s (open loop, evenly spaced, from a worker thread: lib/load-generator.ts)
 * of the mix in lib/mixed-load.ts — `/demo browse`, `/demo help`, catalog filter clicks, Stop/Start
 * clicks by demo owners on their status DM — for 30 s after a 5 s warm-up.
 *
 *   Ack: request written → HTTP response read, per request (not corrected, not averaged).   p99 < 50 ms
 *   Click → visible: a click's request written → the fake Slack handling the call that shows its
 *     result (views.update of the modal, chat.update of the DM, response_url, ephemeral, DM),
 *     wall-clock times across threads; a result never shown counts as infinitely late.      p99 < 300 ms
 *   Web RSS after the load: VmRSS of the web process (/proc/PID/status).                       < 200 MB
 *
 * BENCH_QUICK=1: 1 s warm-up, 4 s of load, fewer demos and modals (checks the bench works; not figures).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { addPlainImage, CLICKS, prepareMix, quiet, runMix, totalUsers, type Kind, type MixedRun } from './lib/mixed-load.ts';
import { errorNote, freshDatabase, quick, startFakes, startRoles } from './lib/env.ts';
import { progress, result, round, runMain } from './lib/report.ts';

const RATE = Number(process.env.BENCH_ACK_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? quick(30, 4));
const WARMUP_SECONDS = quick(5, 1);
const SIZES = quick({ commandUsers: 400, filterUsers: 150, demos: 60 }, { commandUsers: 100, filterUsers: 30, demos: 10 });

runMain(async () => {
  const r = result('ack');
  const f = await startFakes({ users: totalUsers(SIZES) });
  addPlainImage(f);
  const database = await freshDatabase();
  const roles = await startRoles(f, database.url);
  const { web, worker } = roles;
  try {
    const mix = await prepareMix(f, roles.slack, database.handle, SIZES);
    await quiet(f);
    const idleRss = web.rssMb();
    progress(`web idle RSS ${idleRss} MB; warm-up ${WARMUP_SECONDS} s`);
    await runMix(mix, web.receiverUrl, RATE, WARMUP_SECONDS);
    await quiet(f);
    progress(`${RATE} requests/s for ${SECONDS} s`);
    const cpu0 = { web: web.cpuMs(), worker: worker.cpuMs() };
    const run: MixedRun = await runMix(mix, web.receiverUrl, RATE, SECONDS);
    const cpuPerRequest = (p: 'web' | 'worker') => round(((p === 'web' ? web : worker).cpuMs() - cpu0[p]) / Math.max(1, run.load.sent), 2);
    const webRss = web.rssMb();
    await sleep(1_000);
    const workerRss = worker.rssMb();

    const ms = (v: number) => (Number.isFinite(v) ? round(v, 1) : '∞');
    const a = run.ack.all;
    const clean = run.load.errors === 0 && run.load.non2xx === 0;
    r.figure({ name: `ack p50 / max (${a.n} requests)`, value: `${ms(a.p50)} / ${ms(a.max)}`, unit: 'ms' });
    r.figure({
      name: `ack p99, ${RATE} requests/s of mixed commands and clicks for ${SECONDS} s`,
      value: ms(a.p99),
      unit: 'ms',
      goal: '< 50 ms, all 200',
      pass: a.p99 < 50 && clean,
    });
    for (const k of ['browse', 'help', 'filter', 'stop'] as Kind[]) {
      const s = run.ack[k];
      r.figure({
        name: `  ${k === 'stop' ? 'Stop/Start click' : k === 'filter' ? 'filter click' : `/demo ${k}`} ack p50 / p99 / max (n=${s.n})`,
        value: `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`,
        unit: 'ms',
      });
    }
    const c = run.visible.clicks;
    r.figure({ name: `click → what the user sees: p50 (n=${c.n})`, value: ms(c.p50), unit: 'ms' });
    r.figure({ name: `click → what the user sees: p99 (never shown: ${c.unseen})`, value: ms(c.p99), unit: 'ms', goal: '< 300 ms', pass: c.p99 < 300 });
    for (const k of CLICKS) {
      const v = run.visible[k];
      r.figure({
        name: `  ${k === 'stop' ? 'Stop/Start click → DM edited (or why not)' : 'filter click → modal updated'}: p50 / p99 / max (n=${v.n}, never shown ${v.unseen})`,
        value: `${ms(v.p50)} / ${ms(v.p99)} / ${ms(v.max)}`,
        unit: 'ms',
      });
    }
    const b = run.visible.browse;
    r.figure({
      name: `/demo browse → catalog modal open: p50 / p99 / max (n=${b.n}, never shown ${b.unseen})`,
      value: `${ms(b.p50)} / ${ms(b.p99)} / ${ms(b.max)}`,
      unit: 'ms',
    });
    r.figure({ name: 'web RSS idle (after set-up)', value: idleRss, unit: 'MB' });
    r.figure({ name: 'web RSS after the load', value: webRss, unit: 'MB', goal: '< 200 MB', pass: webRss < 200 });
    r.figure({ name: 'worker RSS after the load', value: workerRss, unit: 'MB' });
    r.figure({ name: 'CPU per request during the load, web / worker', value: `${cpuPerRequest('web')} / ${cpuPerRequest('worker')}`, unit: 'ms' });
    r.note(
      `Requests sent: ${run.load.sent} at ${round(run.sendRate, 0)}/s (non-2xx ${run.load.non2xx}, network errors or timeouts ${run.load.errors}); sent later than scheduled: p99 ${round(run.load.lateP99, 1)} ms, max ${round(run.load.lateMax, 1)} ms.`,
    );
    r.note(
      `Stop/Start clicks by button: ${JSON.stringify(run.powerClicks)}; clicks sent as /demo browse because everyone was waiting for an answer: ${JSON.stringify(run.substituted)}.`,
    );
    r.note(
      `How results were shown, by kind: ${JSON.stringify(run.shownBy)}. Calls matching no request: ${JSON.stringify(run.unmatched)}. Calls the fake Slack refused: ${JSON.stringify(run.refused)}.`,
    );
    r.note(
      `Event-loop delay p99 during the load: load generator thread ${round(run.load.loopDelayP99, 1)} ms, fake Slack thread ${round(run.mainLoopDelayP99, 1)} ms (a late fake Slack adds to click → visible).`,
    );
    r.note(
      `Start-up (spawn → /readyz 200): web ${round(web.startupMs, 0)} ms, worker ${round(worker.startupMs, 0)} ms. App error-level log lines: ${errorNote([web, worker])}.`,
    );
    r.emit();
  } finally {
    await roles.stop();
    await database.drop();
    await f.close();
  }
});
