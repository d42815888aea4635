/**
 * The real app in a separate OS process (replicas, crash tests), against the test's fake Slack, GCE
 * simulator and database. The child runs on a ManualClock the parent sets, with node-cron off: the
 * parent runs scheduled tasks by name with tick(task, now), over IPC.
 *
 *   const p = await startAppProcess({ env: appProcessEnv(t), clock: '2026-03-09T08:00:00Z' });
 *   await p.tick('accounting.digest-sync', '2026-03-09T09:00:00Z');
 *   await p.stop();
 *
 * With `crashAt` (DEMO_VM_CRASH_AT) the child SIGKILLs itself at that crash point; tick() then rejects
 * with ChildExited and `exited` resolves with signal SIGKILL.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestApp } from './app.ts';

export interface AppProcessOptions {
  /** Variables for loadConfig; appProcessEnv(t) points them at a TestApp's fakes and database. */
  env: Record<string, string>;
  /** Initial time of the child's ManualClock. */
  clock: Date | string;
  /** Arm a crash point (platform/crash.ts) in the child. */
  crashAt?: string;
  /** Node options for the child, e.g. ['--import', moduleRecorder] (see module-recorder.ts). */
  execArgv?: string[];
}

export interface AppProcess {
  pid: number;
  /** The child's HTTP receiver, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Set the child's clock to `now` and run the scheduled task `task` once; resolves when it finished. */
  tick(task: string, now: Date | string): Promise<void>;
  setClock(now: Date | string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Graceful stop (the app's own shutdown), then the process exits. */
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** What the child wrote to stdout/stderr (logs at LOG_LEVEL). */
  output(): string;
}

export class ChildExited extends Error {}

/** The environment of a TestApp (same fakes, same database), for a child process. */
export function appProcessEnv(t: TestApp, extra: Record<string, string> = {}): Record<string, string> {
  if (!t.database) throw new Error('app processes need the postgres backend (PGlite is one process)');
  // The same configuration as the in-process app (fakes, channels, exports), on the real database.
  return {
    ...t.env,
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATABASE_URL: t.database.url,
    ...extra,
  };
}

type Reply = { id: number; ok: true } | { id: number; ok: false; error: string };
type Request = { id: number; op: 'tick' | 'clock' | 'stop'; task?: string; now?: string };

export async function startAppProcess(opts: AppProcessOptions): Promise<AppProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...opts.env,
    DEMO_VM_TEST_CLOCK: new Date(opts.clock).toISOString(),
  };
  if (opts.crashAt) env.DEMO_VM_CRASH_AT = opts.crashAt;
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    env,
    execArgv: opts.execArgv ?? [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pending = new Map<number, { resolve(): void; reject(e: Error): void }>();
  let nextId = 1;
  void exited.then(({ code, signal }) => {
    for (const p of pending.values()) p.reject(new ChildExited(`app process exited (code ${code}, signal ${signal}) during a request`));
    pending.clear();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { op?: string; url?: string } & Partial<Reply>) => {
      if (m.op === 'ready') return resolve(m.url!);
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      pending.delete(m.id!);
      if (m.ok) p.resolve();
      else p.reject(new Error(`in the app process: ${(m as { error: string }).error}`));
    });
    void exited.then(({ code, signal }) =>
      reject(new ChildExited(`app process exited before it was ready (code ${code}, signal ${signal}):\n${out.slice(-4000)}`)),
    );
  });
  const request = (r: Omit<Request, 'id'>) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...r, id } satisfies Request);
    });
  return {
    pid: child.pid!,
    url,
    tick: (task, now) => request({ op: 'tick', task, now: new Date(now).toISOString() }),
    setClock: (now) => request({ op: 'clock', now: new Date(now).toISOString() }),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) await request({ op: 'stop' }).catch(() => {});
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    output: () => out,
  };
}

/** Child side: start the real app from the environment and serve the parent's requests. */
async function runChild(): Promise<void> {
  const { loadConfig } = await import('../../src/config.ts');
  const { startApp } = await import('../../src/app.ts');
  const { ManualClock } = await import('../../src/platform/clock.ts');
  const { createLogger } = await import('../../src/platform/log.ts');
  const { armCrashPoints } = await import('../../src/platform/crash.ts');
  const config = loadConfig(process.env);
  armCrashPoints(config.crashAt);
  const clock = new ManualClock(process.env.DEMO_VM_TEST_CLOCK);
  const log = createLogger({
    level: config.logLevel,
    destination: process.stderr,
    secrets: [config.slack.botToken ?? '', config.slack.signingSecret ?? ''].filter(Boolean),
  });
  const app = await startApp({
    config,
    clock,
    log,
    scheduler: false,
    jobTuning: { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, heartbeatSeconds: 10, superviseIntervalSeconds: 1 },
  });
  const answer = async (m: Request): Promise<void> => {
    try {
      if (m.now) clock.set(m.now);
      if (m.op === 'tick') {
        const task = app.scheduler.tasks.find((t) => t.name === m.task);
        if (!task) throw new Error(`no scheduled task named ${m.task} (have: ${app.scheduler.tasks.map((t) => t.name).join(', ')})`);
        await task.tick(clock.now());
      }
      if (m.op === 'stop') await app.stop();
      process.send!({ id: m.id, ok: true } satisfies Reply);
      if (m.op === 'stop') process.disconnect();
    } catch (err) {
      process.send!({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) } satisfies Reply);
    }
  };
  // Each request is answered by its own reply; only a failure to send that reply is left to log.
  process.on('message', (m: Request) => {
    answer(m).catch((err: unknown) => log.error({ err }, 'could not answer the test process'));
  });
  process.on('disconnect', () => void app.stop().finally(() => process.exit(0)));
  process.send!({ op: 'ready', url: app.url });
}

if (process.argv[2] === '--child') await runChild();
