/**
 * The app under test in OS processes of its own (as in production), so that the load generator, the
 * fake Slack and the GCE simulator never share its event loop or its heap. Each process is started
 * from the environment exactly as the container starts it (src/main.ts with the Dockerfile's node
 * flags and malloc settings), with a role:
 *
 *   ROLE=web     answers Slack: /slack/events, /healthz, /readyz, /metrics
 *   ROLE=worker  runs jobs and schedules; /healthz, /readyz, /metrics
 *   ROLE=all     both in one process (the default; local mode)
 *
 * The bench picks a free port for each process and calls it ready when GET /readyz answers 200, so it
 * needs nothing from the app's log; the time from spawn to that answer is the start-up figure.
 * (test/harness/app-process.ts is for tests: a ManualClock, test job polling, node-cron off, IPC
 * ticks; a benchmark measures production settings.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execForm, parseDockerfile, stageEnv } from '../test/deploy/dockerfile.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type Role = 'web' | 'worker' | 'all';

export interface ChildApp {
  pid: number;
  role: Role | 'local';
  /** http://127.0.0.1:PORT */
  url: string;
  /** The Slack Request URL: http://127.0.0.1:PORT/slack/events */
  receiverUrl: string;
  /** Spawn → first 200 from /readyz (plus, in local mode, the workspace page served), in ms. */
  startupMs: number;
  /** Resident memory now (VmRSS of the child), in MB. */
  rssMb(): number;
  /** CPU time the process has used so far (user + system), in ms. */
  cpuMs(): number;
  /** Log lines at error level or above seen so far (pino levels ≥ 50). */
  readonly errorLines: string[];
  /** The last lines the process wrote (for diagnosing a failure). */
  tail(): string;
  /** SIGTERM (graceful stop), then SIGKILL if it has not exited in time. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface AppEnv {
  signingSecret: string;
  botToken: string;
  slackApiUrl: string;
  databaseUrl: string;
  gcpProject: string;
  gceApiEndpoint: string;
  extra?: Record<string, string>;
}

/**
 * How the container runs the app (the Dockerfile's runtime stage): its malloc ENV and the node flags
 * of its CMD, so the bench runs what production runs (`npm start` is plain `node src/main.ts`).
 */
export function startCommand(): { env: Record<string, string>; flags: string[]; script: string } {
  const runtime = parseDockerfile(readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8')).at(-1)!;
  const cmd = execForm(runtime.instructions.filter((i) => i.op === 'CMD').at(-1)?.args ?? '') ?? [];
  if (cmd[0] !== 'node' || cmd.at(-1) !== 'src/main.ts') throw new Error(`cannot read the Dockerfile's CMD: ${cmd.join(' ')}`);
  const env = Object.fromEntries(Object.entries(stageEnv(runtime)).filter(([k]) => k.startsWith('MALLOC_')));
  return { env, flags: cmd.slice(1, -1), script: `Dockerfile CMD ${cmd.join(' ')}` };
}

/** Extra node flags for the children (e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"). */
function nodeArgs(): string[] {
  return (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** A port free on 127.0.0.1 right now (the OS picks it; the child binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The environment of a role against the bench's fakes (production settings). */
export function roleEnv(role: Role, e: AppEnv): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    ROLE: role,
    BIND_ADDRESS: '127.0.0.1',
    SLACK_BOT_TOKEN: e.botToken,
    SLACK_SIGNING_SECRET: e.signingSecret,
    SLACK_API_URL: e.slackApiUrl,
    DATABASE_URL: e.databaseUrl,
    GCP_PROJECT: e.gcpProject,
    GCE_API_ENDPOINT: e.gceApiEndpoint,
    ADMIN_USER_IDS: 'U_ADMIN',
    ...e.extra,
  };
}

/** The real app (src/main.ts) in one role, production settings, on a port of its own. */
export async function spawnRole(role: Role, e: AppEnv, opts: { timeoutMs?: number } = {}): Promise<ChildApp> {
  return spawnNode(role, roleEnv(role, e), { timeoutMs: opts.timeoutMs ?? 60_000 });
}

/** Back-compatible: the whole app in one process (ROLE=all), as the query benchmarks use it. */
export function spawnApp(e: AppEnv): Promise<ChildApp> {
  return spawnRole('all', e);
}

/**
 * Local mode as a newcomer gets it: `npm start` with no Slack credentials, no GCP project and no
 * DATABASE_URL, on the given (fresh) DATA_DIR: embedded PGlite, built-in fake Slack and GCE simulator,
 * and the workspace page at `/`. Ready when `/` serves the page and `/readyz` answers 200.
 */
export function spawnLocal(opts: { dataDir: string; extra?: Record<string, string>; timeoutMs?: number }): Promise<ChildApp> {
  // As a newcomer runs it: `npm start`, plain `node src/main.ts` (the container's flags are the Deployment's).
  return spawnNode(
    'local',
    { ROLE: 'all', LOG_LEVEL: 'info', BIND_ADDRESS: '127.0.0.1', DATA_DIR: opts.dataDir, ...opts.extra },
    { timeoutMs: opts.timeoutMs ?? 60_000, page: true, plain: true },
  );
}

async function spawnNode(role: ChildApp['role'], env: Record<string, string>, opts: { timeoutMs: number; page?: boolean; plain?: boolean }): Promise<ChildApp> {
  const port = await freePort();
  const start = opts.plain ? { env: {}, flags: [], script: 'npm start' } : startCommand();
  const t0 = performance.now();
  // A clean environment: nothing of the developer's DATABASE_URL or Slack tokens leaks in.
  const child = spawn(process.execPath, [...start.flags, ...nodeArgs(), 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      ...start.env,
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const errorLines: string[] = [];
  // BENCH_APP_LOG=/tmp/app keeps each process's whole output in /tmp/app.<role>.<pid>.
  const logFile = process.env.BENCH_APP_LOG ? createWriteStream(`${process.env.BENCH_APP_LOG}.${role}.${child.pid}`) : undefined;
  const keep = (line: string) => {
    logFile?.write(`${line}\n`);
    lines.push(line);
    if (lines.length > 200) lines.shift();
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level && Number(level) >= 50) errorLines.push(line);
  };
  // One reader per stream, kept for the child's life: a full pipe would block the child's writes.
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));

  const url = `http://127.0.0.1:${port}`;
  const deadline = t0 + opts.timeoutMs;
  const ok = async (path: string, want?: RegExp) => {
    try {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      return res.status === 200 && (!want || want.test(body));
    } catch {
      return false;
    }
  };
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${role} process exited (${exitCode}) before it was ready:\n${lines.join('\n')}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${role} process was not ready within ${opts.timeoutMs} ms:\n${lines.join('\n')}`);
    }
    if ((await ok('/readyz')) && (!opts.page || (await ok('/', /<html/i)))) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const startupMs = performance.now() - t0;
  const pid = child.pid!;
  return {
    pid,
    role,
    url,
    receiverUrl: `${url}/slack/events`,
    startupMs,
    rssMb: () => rssMb(pid),
    cpuMs: () => cpuMs(pid),
    errorLines,
    tail: () => lines.slice(-40).join('\n'),
    stop: (timeoutMs = 25_000) => stopChild(child, exited, timeoutMs),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

/** utime + stime from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
