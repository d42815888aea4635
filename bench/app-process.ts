/**
 * The app under test in a process of its own (as in production), so that the load generator, the fake
 * Slack and the GCE simulator never share its event loop or its heap. Started from the environment
 * exactly as the container starts it (src/main.ts), against URLs of fakes that live in the bench process.
 * (test/harness/app-process.ts is for tests: a ManualClock, test job polling, node-cron off, IPC ticks;
 * a benchmark measures production settings.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execForm, parseDockerfile, stageEnv } from '../test/deploy/dockerfile.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ChildApp {
  pid: number;
  /** The Slack Request URL: http://127.0.0.1:PORT/slack/events */
  receiverUrl: string;
  /** Resident memory now (VmRSS), in MB. */
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
 * of its CMD, so the bench runs what production runs. Bare Bolt gets the same.
 */
function startCommand(): { env: Record<string, string>; flags: string[] } {
  const runtime = parseDockerfile(readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8')).at(-1)!;
  const cmd = execForm(runtime.instructions.filter((i) => i.op === 'CMD').at(-1)?.args ?? '') ?? [];
  if (cmd[0] !== 'node' || cmd.at(-1) !== 'src/main.ts') throw new Error(`cannot read the Dockerfile's CMD: ${cmd.join(' ')}`);
  const env = Object.fromEntries(Object.entries(stageEnv(runtime)).filter(([k]) => k.startsWith('MALLOC_')));
  return { env, flags: cmd.slice(1, -1) };
}

/** Extra node flags for the child (e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"). */
function nodeArgs(): string[] {
  return (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** The real app (src/main.ts), production settings, HTTP receiver on an ephemeral port. */
export function spawnApp(e: AppEnv): Promise<ChildApp> {
  return spawnNode('src/main.ts', {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    SLACK_BOT_TOKEN: e.botToken,
    SLACK_SIGNING_SECRET: e.signingSecret,
    SLACK_API_URL: e.slackApiUrl,
    DATABASE_URL: e.databaseUrl,
    GCP_PROJECT: e.gcpProject,
    GCE_API_ENDPOINT: e.gceApiEndpoint,
    ADMIN_USER_IDS: 'U_ADMIN',
    ...e.extra,
  });
}

/** Bolt alone (bench/bare-bolt.ts): the floor our request path is compared with (same node flags). */
export function spawnBareBolt(e: { signingSecret: string; botToken: string; slackApiUrl: string }): Promise<ChildApp> {
  return spawnNode('bench/bare-bolt.ts', { SLACK_SIGNING_SECRET: e.signingSecret, SLACK_BOT_TOKEN: e.botToken, SLACK_API_URL: e.slackApiUrl });
}

const READY = /(?:Slack requests|bare bolt listening): (http:\/\/\S+\/slack\/events)/;

async function spawnNode(script: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ChildApp> {
  // A clean environment: nothing of the developer's DATABASE_URL or Slack tokens leaks in.
  const start = startCommand();
  const child = spawn(process.execPath, [...start.flags, ...nodeArgs(), script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...start.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const errorLines: string[] = [];
  let onReady: (url: string) => void = () => {};
  // BENCH_APP_LOG=/tmp/app keeps each process's whole output (e.g. with --trace-gc-nvp) in /tmp/app.<script>.
  const logFile = process.env.BENCH_APP_LOG ? createWriteStream(`${process.env.BENCH_APP_LOG}.${script.replace(/\W/g, '_')}`) : undefined;
  const keep = (line: string) => {
    logFile?.write(`${line}\n`);
    lines.push(line);
    if (lines.length > 200) lines.shift();
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level && Number(level) >= 50) errorLines.push(line);
    const ready = READY.exec(line);
    if (ready) onReady(ready[1]!);
  };
  // One reader per stream, kept for the child's life: a full pipe would block the child's writes.
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const receiverUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    onReady = (url) => {
      clearTimeout(timer);
      resolve(url);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${lines.join('\n')}`));
    });
  });
  return childApp(child, receiverUrl, lines, errorLines, exited);
}

function childApp(child: ChildProcess, receiverUrl: string, lines: string[], errorLines: string[], exited: Promise<number | null>): ChildApp {
  const pid = child.pid!;
  return {
    pid,
    receiverUrl,
    rssMb: () => rssMb(pid),
    cpuMs: () => cpuMs(pid),
    errorLines,
    tail: () => lines.slice(-40).join('\n'),
    stop: async (timeoutMs = 25_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
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
