/**
 * Large bodies at Slack's door: 100 connections at once, each declaring a ~4 MB body and sending only
 * its first 64 KB, held open — unsigned, then with forged signature headers; then 100 forged but
 * full 1 MB bodies (under the cap, so read: at most 64 at once). The web process's RSS is sampled
 * throughout; every held request must be answered before the rest of its body is sent.
 */
import { request } from 'node:http';
import { spawnRole } from './app-process.ts';
import { appEnv, freshDatabase, startFakes } from './lib/env.ts';
import { progress, result, round } from './lib/report.ts';

const CONNECTIONS = 100;
const DECLARED = 4 * 1024 * 1024;
const FIRST_CHUNK = 64 * 1024;
const MB = 1024 * 1024;

interface Answer {
  status: number;
  /** Bytes this client had written when the answer came. */
  sent: number;
}

function post(url: string, headers: Record<string, string>, length: number, holdAfter: number | undefined): Promise<Answer> {
  return new Promise((resolve) => {
    let sent = 0;
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on('error', () => resolve({ status: 0, sent }));
    const chunk = Buffer.alloc(holdAfter ?? length, 'a');
    sent = chunk.length;
    if (holdAfter === undefined) req.end(chunk);
    else req.write(chunk);
  });
}

async function wave(url: string, rss: () => number, headers: () => Record<string, string>, length: number, holdAfter?: number) {
  let peak = rss();
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 25);
  const answers = await Promise.all(Array.from({ length: CONNECTIONS }, () => post(url, headers(), length, holdAfter)));
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const byStatus: Record<string, number> = {};
  for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  const unread = answers.filter((a) => holdAfter !== undefined && a.status !== 0 && a.sent <= holdAfter).length;
  return { peak, byStatus, unread };
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
    FIRST_CHUNK,
  );
  progress(`unsigned: ${JSON.stringify(unsigned)}; now forged signature headers`);
  const forged = await wave(
    web.receiverUrl,
    () => web.rssMb(),
    () => ({ 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': now() }),
    DECLARED,
    FIRST_CHUNK,
  );
  progress(`forged: ${JSON.stringify(forged)}; now forged, full 1 MB bodies`);
  const full = await wave(
    web.receiverUrl,
    () => web.rssMb(),
    () => ({ 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': now() }),
    MB - 1024,
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
    name: 'of them answered before their body was sent (413 on the declared length)',
    value: unsigned.unread,
    goal: `all ${CONNECTIONS}`,
    pass: unsigned.unread === CONNECTIONS,
  });
  r.figure({ name: 'web RSS peak, the same with forged signature headers', value: round(forged.peak), unit: 'MB' });
  r.figure({ name: '  answered before their body was sent', value: forged.unread, goal: `all ${CONNECTIONS}`, pass: forged.unread === CONNECTIONS });
  r.figure({
    name: `web RSS peak, ${CONNECTIONS} forged-signature 1 MB bodies at once (read: ≤ 64 at a time)`,
    value: round(full.peak),
    unit: 'MB',
    goal: '< 400 MB (limit 512Mi; bodies ≤ 64 MB)',
    pass: full.peak < 400,
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
