import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeSlack } from '../../sim/slack/index.ts';
import { GceSimulator } from '../../sim/gce/index.ts';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.ts';
import { InboundSlack } from '../harness/slack-requests.ts';
import { copyPaths, dockerignore, execForm, parseDockerfile, stageEnv, type Stage } from './dockerfile.ts';

/**
 * No Docker engine here, so the image is assembled as a plain directory, following the Dockerfile:
 * the build stage's COPY and RUN in a temporary WORKDIR, then the runtime stage's COPY --from. One
 * step is substituted: `npm ci --omit=dev` needs the registry, so the lockfile's non-dev packages are
 * hard-linked from this checkout's node_modules instead (same versions; what matters is that nothing
 * else is there). Then the image's CMD runs on production settings against the fakes and PostgreSQL,
 * and its HEALTHCHECK command is what decides it is up.
 */

const ROOT = process.cwd();
const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const buildStage = stages[0]!;
const runtime = stages.at(-1)!;
const ignored = dockerignore(readFileSync('.dockerignore', 'utf8'));
// The image's node is Node 24: so is the one running this test; put it first on PATH for scripts.
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };

const workdir = (stage: Stage) =>
  stage.instructions
    .filter((i) => i.op === 'WORKDIR')
    .at(-1)
    ?.args.trim() ?? '/';

/** What `npm ci --omit=dev` leaves: the lockfile's packages minus dev ones (platform-specific ones absent here are skipped, as npm does). */
function installProductionDependencies(dir: string): void {
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (!path || meta.dev || path.split('node_modules/').length > 2 || !existsSync(join(ROOT, path))) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const res = spawnSync('cp', ['-al', join(ROOT, path), join(dir, path)]);
    if (res.status !== 0) throw new Error(`cp ${path}: ${String(res.stderr)}`);
  }
}

function copyInto(from: string, dest: string, multiple: boolean, filter?: (src: string) => boolean): void {
  const target = statSync(from).isDirectory() ? dest : dest.endsWith('/') || multiple ? join(dest, basename(from)) : dest;
  mkdirSync(dirname(target), { recursive: true });
  if (filter) cpSync(from, target, { recursive: true, filter });
  else if (spawnSync('cp', ['-al', `${from}${statSync(from).isDirectory() ? '/.' : ''}`, target]).status !== 0) throw new Error(`cp ${from}`);
}

interface RunResult {
  command: string;
  status: number | null;
  output: string;
}

/** The build stage's steps in `dir`; returns each RUN's outcome. */
function runBuildStage(dir: string): RunResult[] {
  const results: RunResult[] = [];
  const env = { PATH, HOME: process.env.HOME ?? '/tmp', ...stageEnv(buildStage) };
  for (const ins of buildStage.instructions) {
    if (ins.op === 'COPY') {
      const { sources, dest } = copyPaths(ins);
      for (const src of sources) copyInto(join(ROOT, src), join(dir, dest), sources.length > 1, (p) => !ignored(relative(ROOT, p)));
    } else if (ins.op === 'RUN' && /\bnpm ci\b/.test(ins.args)) {
      expect(ins.args).toContain('--omit=dev');
      installProductionDependencies(dir);
      results.push({ command: `${ins.args} (offline: lockfile's production packages)`, status: 0, output: '' });
    } else if (ins.op === 'RUN') {
      const res = spawnSync('sh', ['-c', ins.args], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
      results.push({ command: ins.args, status: res.status, output: `${res.stdout}${res.stderr}`.slice(-3000) });
    }
  }
  return results;
}

/** The runtime stage's COPY --from, from the build directory into `dir`. */
function assembleRuntime(buildDir: string, dir: string): void {
  const from = workdir(buildStage);
  for (const ins of runtime.instructions.filter((i) => i.op === 'COPY')) {
    expect(ins.flags['from'], `runtime COPY on line ${ins.line} takes from the build stage`).toBe(buildStage.name);
    const { sources, dest } = copyPaths(ins);
    for (const src of sources) copyInto(join(buildDir, relative(from, src)), join(dir, dest), sources.length > 1);
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('the image, assembled without Docker', () => {
  let tmp: string;
  let buildDir: string;
  let runDir: string;
  let runs: RunResult[];
  let fake: FakeSlack;
  let sim: GceSimulator;
  let database: TestDatabase;
  let env: Record<string, string>;
  let port: number;
  let app: ChildProcess | undefined;
  let appOutput = '';
  const healthcheck = () => {
    const hc = runtime.instructions.find((i) => i.op === 'HEALTHCHECK')!;
    const [cmd, ...args] = execForm(hc.args.replace(/^CMD\s+/, ''))!;
    return spawnSync(cmd!, args, { env, timeout: 10_000 }).status;
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'demo-vm-image-'));
    buildDir = join(tmp, 'build');
    runDir = join(tmp, 'runtime');
    mkdirSync(buildDir);
    mkdirSync(runDir);
    runs = runBuildStage(buildDir);
    if (runs.every((r) => r.status === 0)) assembleRuntime(buildDir, runDir);

    fake = new FakeSlack();
    const { apiUrl } = await fake.listen(0, '127.0.0.1');
    sim = new GceSimulator({ project: 'demo-image-test', operationMs: 0, bootMs: 0 });
    sim.seedSampleImages();
    const { url: gceUrl } = await sim.listen(0, '127.0.0.1');
    database = await createTestDatabase({ empty: true });
    port = await freePort();
    env = {
      PATH,
      HOME: join(tmp, 'home'),
      ...stageEnv(runtime),
      // Outside a container: writable places under the test's directory, loopback only.
      npm_config_cache: join(tmp, 'npm'),
      npm_config_logs_dir: join(tmp, 'npm', '_logs'),
      DATA_DIR: join(tmp, 'data'),
      BIND_ADDRESS: '127.0.0.1',
      PORT: String(port),
      SLACK_BOT_TOKEN: fake.identity.token,
      SLACK_SIGNING_SECRET: 'image-test-signing-secret-0123456789',
      SLACK_API_URL: apiUrl,
      GCP_PROJECT: 'demo-image-test',
      GCE_API_ENDPOINT: gceUrl,
      DATABASE_URL: database.url,
    };
  }, 180_000);

  afterAll(async () => {
    if (app && app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    await fake?.close();
    await sim?.close();
    await database?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the build stage’s RUN commands succeed as a plain script', () => {
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const r of runs) expect(r.status, `${r.command}\n${r.output}`).toBe(0);
  });

  test('the runtime holds the app and its production dependencies, and no dev dependency', () => {
    for (const p of ['package.json', 'src/main.ts', 'src/migrate.ts', 'migrations', 'assets/fonts/DejaVuSans.ttf', 'node_modules/@slack/bolt'])
      expect(existsSync(join(runDir, p)), p).toBe(true);
    const dev = Object.entries(lock.packages).filter(([p, m]) => p && m.dev && p.split('node_modules/').length === 2);
    expect(dev.length).toBeGreaterThan(0);
    for (const [p] of dev) expect(existsSync(join(runDir, p)), `dev package ${p}`).toBe(false);
    // What the Dockerfile's RUN in the runtime stage does needs root; it may only prepare directories.
    for (const r of runtime.instructions.filter((i) => i.op === 'RUN'))
      for (const part of r.args.split('&&')) expect(part.trim()).toMatch(/^(mkdir|chown|chmod) /);
  });

  test('`npm run migrate` (the Job’s command) migrates an empty database', () => {
    const res = spawnSync('npm', ['run', 'migrate'], { cwd: runDir, env, encoding: 'utf8', timeout: 120_000 });
    expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
    expect(res.stdout).toMatch(/Applied \d+ migration\(s\): 0001_initial/);
    expect(res.stdout).toContain('Job queue schema (pg-boss) is ready.');
  });

  test('the CMD starts the app on production settings, the HEALTHCHECK passes, and it serves Slack and /metrics', async () => {
    const [cmd, ...args] = execForm(runtime.instructions.filter((i) => i.op === 'CMD').at(-1)!.args)!;
    expect(healthcheck()).not.toBe(0); // nothing listens yet
    app = spawn(cmd!, args, { cwd: runDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    app.stdout!.on('data', (d) => (appOutput += String(d)));
    app.stderr!.on('data', (d) => (appOutput += String(d)));
    const deadline = Date.now() + 90_000;
    while (healthcheck() !== 0) {
      if (app.exitCode !== null || Date.now() > deadline) throw new Error(`the app did not become healthy:\n${appOutput.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const slack = new InboundSlack(fake, `${base}/slack/events`, env['SLACK_SIGNING_SECRET']!);
    const sent = await slack.command({ user: 'U_ALICE', text: 'help' });
    expect(sent.response.status).toBe(200);
    expect(fake.ephemerals('U_ALICE').at(-1)?.text).toContain('/demo launch');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/demo_vm_slack_ack_duration_seconds_count\{status="200"\} [1-9]/);
    for (const name of ['demo_vm_job_queue_depth', 'demo_vm_usage_seconds_total', 'process_cpu_seconds_total']) expect(metrics).toContain(name);
    // JSON logs in production, with no secret in them.
    expect(appOutput).toMatch(/^\{"severity":"INFO","level":30,/m);
    expect(appOutput).not.toContain(env['SLACK_SIGNING_SECRET']);
    expect(appOutput).not.toContain(fake.identity.token);
  }, 120_000);

  test('SIGTERM stops it gracefully (exit 0), and the HEALTHCHECK then fails', async () => {
    expect(app?.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => app!.once('exit', (code) => resolve(code)));
    app!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(appOutput).toContain('stopping');
    expect(healthcheck()).not.toBe(0);
  }, 60_000);
});
