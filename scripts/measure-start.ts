/**
 * Start-up time of `npm start` in local mode, and where it goes.
 *
 *   npx node scripts/measure-start.ts             the app as `npm start` runs it (env and node flags
 *                                                 read from package.json), fresh temporary DATA_DIR, free
 *                                                 port: time to each log line, /readyz ok, the page; CPU, RSS
 *   npx node scripts/measure-start.ts --existing DIR   the same on an existing data directory (a restart)
 *   npx node scripts/measure-start.ts --launch    then one launch through the local workspace API and
 *                                                 10 s idle: VmRSS after one launch
 *   npx node scripts/measure-start.ts --node-flag=--liftoff-only   one more node flag for the app (repeatable)
 *   npx node scripts/measure-start.ts --steps     in this process, the app's own start-up calls one by
 *                                                 one: open PGlite, each migration, pg-boss start
 *
 * A fresh DATA_DIR copies the template cluster cached in $XDG_CACHE_HOME/demo-vm (src/platform/db.ts);
 * set XDG_CACHE_HOME to an empty directory to measure the first start on a machine (initdb).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    existing: { type: 'string' },
    launch: { type: 'boolean' },
    steps: { type: 'boolean' },
    'node-flag': { type: 'string', multiple: true },
    'idle-ms': { type: 'string', default: '10000' },
  },
});
const root = new URL('..', import.meta.url).pathname;
const dataDir = opts.existing ?? join(mkdtempSync(join(tmpdir(), 'demo-vm-start-')), 'data');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;

if (opts.steps) await steps();
else await endToEnd();

async function endToEnd(): Promise<void> {
  // `npm start` is "VAR=value … exec node FLAGS src/main.ts": run the same without npm in between.
  const words = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  const args: string[] = [];
  for (const w of words.slice(0, words.indexOf('node'))) if (w.includes('=')) env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
  args.push(...(opts['node-flag'] ?? []), ...words.slice(words.indexOf('node') + 1));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const marks: Array<[number, string]> = [[0, 'process spawned']];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk;
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      let msg = line.trim();
      try {
        msg = (JSON.parse(line) as { msg: string }).msg;
      } catch {
        /* the banner */
      }
      if (msg) marks.push([performance.now() - t0, msg]);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => marks.push([performance.now() - t0, `stderr: ${String(chunk).trim()}`]));
  const base = `http://127.0.0.1:${port}`;
  let ready = NaN;
  while (child.exitCode === null) {
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      ready = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const page = (await fetch(`${base}/`).then(
    (r) => r.ok,
    () => false,
  ))
    ? performance.now() - t0
    : NaN;
  for (const [t, m] of marks) console.log(`${seconds(t)}  ${m.slice(0, 110)}`);
  console.log(`${seconds(ready)}  /readyz ok`);
  console.log(`${seconds(page)}  the local workspace page served`);
  console.log(`CPU ${cpuSeconds(child.pid!)} s (all threads), ${memory(child.pid!)}; ${opts.existing ? 'existing' : 'fresh'} DATA_DIR ${dataDir}`);
  if (opts.launch && Number.isFinite(ready)) await launchOnce(base, child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** `/demo launch crm-demo` as Alice through the page's API, submit the modal, wait for RUNNING, idle. */
async function launchOnce(base: string, pid: number): Promise<void> {
  const post = (path: string, body: object) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  type State = { modals: Array<{ id: string }>; gce: { instances: Array<{ status: string }> } };
  const state = async () => (await (await fetch(`${base}/local/api/state?user=U_ALICE`)).json()) as State;
  await post('/local/api/command', { user: 'U_ALICE', channel: 'C_DEMOS', text: '/demo launch crm-demo' });
  let s = await state();
  for (let i = 0; i < 100 && !s.modals.length; i++) s = (await new Promise((r) => setTimeout(r, 100)), await state());
  const t = performance.now();
  await post('/local/api/submit', { user: 'U_ALICE', viewId: s.modals[0]!.id, state: [] });
  for (let i = 0; i < 300 && !s.gce.instances.some((x) => x.status === 'RUNNING'); i++) s = (await new Promise((r) => setTimeout(r, 100)), await state());
  console.log(`launch: instance ${s.gce.instances.map((x) => x.status).join(', ')} after ${seconds(performance.now() - t).trim()}`);
  await new Promise((r) => setTimeout(r, Number(opts['idle-ms'])));
  console.log(`idle ${Number(opts['idle-ms']) / 1000} s after one launch: ${memory(pid)}`);
}

/** The app's start-up calls, in this process, one at a time. */
async function steps(): Promise<void> {
  const t0 = performance.now();
  let last = t0;
  const lap = (what: string) => {
    const now = performance.now();
    const mb = (n: number) => `${Math.round(n)}`.padStart(4);
    console.log(
      `${seconds(now - t0)}  +${(now - last).toFixed(0).padStart(5)} ms  RSS ${mb(process.memoryUsage().rss / 2 ** 20)} MB, peak ${mb(process.resourceUsage().maxRSS / 1024)} MB  ${what}`,
    );
    last = now;
  };
  const [{ openPglite }, { MIGRATIONS }, { Migrator }, { JobQueue }, { createLogger }] = await Promise.all([
    import('../src/platform/db.ts'),
    import('../src/platform/migrations.ts'),
    import('kysely/migration'),
    import('../src/platform/jobs.ts'),
    import('../src/platform/log.ts'),
  ]);
  lap('imports (db, migrations, jobs)');
  const handle = await openPglite(dataDir);
  lap(`open PGlite (${opts.existing ? 'existing' : 'fresh'} ${dataDir})`);
  const timed = Object.fromEntries(
    Object.entries(MIGRATIONS).map(([name, m]) => [
      name,
      {
        up: async (db: Parameters<typeof m.up>[0]) => {
          const t = performance.now();
          await m.up(db);
          console.log(`${' '.repeat(51)}${name} ${(performance.now() - t).toFixed(0)} ms`);
        },
      },
    ]),
  );
  const { error, results } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => timed } }).migrateToLatest();
  if (error) throw error;
  lap(`migrations (${results?.length ?? 0} applied, one transaction)`);
  const jobs = new JobQueue(handle, createLogger({ level: 'warn' }));
  await jobs.start();
  lap('pg-boss start');
  await jobs.stop(1_000);
  await handle.close();
  lap('close');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function cpuSeconds(pid: number): string {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / 100).toFixed(1);
}

function memory(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (key: string) => Math.round(Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]) / 1024);
  return `VmRSS ${mb('VmRSS')} MB (peak VmHWM ${mb('VmHWM')} MB)`;
}
