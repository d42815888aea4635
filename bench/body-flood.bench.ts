/**
 * Large bodies at Slack's door: 100 connections at once, each declaring a ~4 MB body and sending only
 * its first 64 KB, held open — unsigned, then with forged signature headers; then 100 forged but
 * full 1 MB bodies (under the cap, so read: at most 64 at once). The web process's RSS is sampled
 * throughout; every held request must be answered before the rest of its body is sent.
 */
import { rawPost } from '../test/harness/raw-post.ts';
import { spawnRole } from './app-process.ts';
import { appEnv, freshDatabase, startFakes } from './lib/env.ts';
import { progress, result, round } from './lib/report.ts';

const CONNECTIONS = 100;
const DECLARED = 4 * 1024 * 1024;
const FIRST_CHUNK = 64 * 1024;
const MB = 1024 * 1024;

/** One wave of CONNECTIONS at once; `expected` counts the answers with one of `statuses`. */
async function wave(url: string, rss: () => number, headers: () => Record<string, string>, length: number, statuses: number[], holdAfter?: number) {
  let peak = rss();
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 25);
  const body = Buffer.alloc(length, 'a');
  const answers = await Promise.all(
    Array.from({ length: CONNECTIONS }, () =>
      rawPost(url, { 'content-type': 'application/json', 'content-length': String(length), ...headers() }, body, { holdAfter, timeoutMs: 60_000 }),
    ),
  );
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const byStatus: Record<string, number> = {};
  for (const a of answers) {
    const key = a.error ? `${a.status} ${a.error}` : String(a.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  const expected = answers.filter((a) => typeof a.status === 'number' && statuses.includes(a.status)).length;
  return { peak, byStatus, expected };
}

const r = result('body-flood');
const fakes = await startFakes({ users: 0 });
const db = await freshDatabase();
const web = await spawnRole('web', appEnv(fakes, db.url));
try {
  const idle = web.rssMb();
  const now = () => String(Math.floor(Date.now() / 1000));
  progress(`web idle RSS ${round(idle)} MB; ${CONNECTIONS} unsigned ~4 MB bodies held open`);
  const unsigned = await wave(
    web.receiverUrl,
    () => web.rssMb(),
    () => ({}),
    DECLARED,
    [413],
    FIRST_CHUNK,
  );
  progress(`unsigned: ${JSON.stringify(unsigned)}; now forged signature headers`);
  const forged = await wave(
    web.receiverUrl,
    () => web.rssMb(),
    () => ({ 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': now() }),
    DECLARED,
    [413],
    FIRST_CHUNK,
  );
  progress(`forged: ${JSON.stringify(forged)}; now forged, full 1 MB bodies`);
  const full = await wave(
    web.receiverUrl,
    () => web.rssMb(),
    () => ({ 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': now() }),
    MB - 1024,
    [401, 503],
  );
  const after = web.rssMb();

  r.figure({ name: 'web RSS idle', value: round(idle), unit: 'MB' });
  r.figure({
    name: `web RSS peak, ${CONNECTIONS} unsigned ~4 MB POSTs held open at once`,
    value: round(unsigned.peak),
    unit: 'MB',
    goal: `< idle + 20 MB (${round(idle + 20)})`,
    pass: unsigned.peak < idle + 20,
  });
  r.figure({
    name: 'of them answered 413 on the declared length, their body held unsent',
    value: unsigned.expected,
    goal: `all ${CONNECTIONS}`,
    pass: unsigned.expected === CONNECTIONS,
  });
  r.figure({ name: 'web RSS peak, the same with forged signature headers', value: round(forged.peak), unit: 'MB' });
  r.figure({ name: '  answered 413, their body held unsent', value: forged.expected, goal: `all ${CONNECTIONS}`, pass: forged.expected === CONNECTIONS });
  r.figure({
    name: `web RSS peak, ${CONNECTIONS} forged-signature 1 MB bodies at once (read: ≤ 64 at a time)`,
    value: round(full.peak),
    unit: 'MB',
    goal: '< 400 MB (limit 512Mi; bodies ≤ 64 MB)',
    pass: full.peak < 400,
  });
  r.figure({
    name: '  answered 401 (forged signature) or 503 (over 64 bodies in flight)',
    value: full.expected,
    goal: `all ${CONNECTIONS}`,
    pass: full.expected === CONNECTIONS,
  });
  r.figure({ name: 'web RSS after the floods', value: round(after), unit: 'MB' });
  r.note(
    `Answers by status — unsigned: ${JSON.stringify(unsigned.byStatus)}; forged headers: ${JSON.stringify(forged.byStatus)}; forged 1 MB: ${JSON.stringify(full.byStatus)}.`,
  );
  r.note(`Error-level log lines of the web process: ${web.errorLines.length}.`);
} finally {
  await web.stop();
  await db.drop();
  await fakes.close();
}
r.emit();
