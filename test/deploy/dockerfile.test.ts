import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { copyPaths, dockerignore, execForm, parseDockerfile, stageEnv } from './dockerfile.ts';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const ops = (op: string) => final.instructions.filter((i) => i.op === op);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };

describe('Dockerfile', () => {
  test('is multi-stage and every stage runs on node:24-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image).toBe('node:24-slim');
  });

  test('runs as the unprivileged node user, not root', () => {
    const users = ops('USER').map((u) => u.args.trim());
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)!;
    expect(['root', '0', '0:0']).not.toContain(last);
    expect(last.split(':')[0]).toBe('node');
    // Nothing runs after USER that would need root.
    const userLine = ops('USER').at(-1)!.line;
    expect(ops('RUN').filter((r) => r.line > userLine)).toEqual([]);
  });

  test('has a HEALTHCHECK that fetches /healthz with node (no curl in the slim image)', () => {
    const [hc] = ops('HEALTHCHECK');
    expect(hc).toBeDefined();
    const cmd = execForm(hc!.args.replace(/^CMD\s+/, ''));
    expect(cmd?.[0]).toBe('node');
    expect(cmd?.join(' ')).toMatch(/fetch\(.*\/healthz/);
    expect(hc!.flags['timeout']).toBeDefined();
  });

  test('runs node directly in exec form (no npm or shell parent: SIGTERM reaches the app)', () => {
    const cmd = execForm(ops('CMD').at(-1)!.args);
    expect(cmd?.[0]).toBe('node');
    expect(cmd?.at(-1)).toBe('src/main.ts');
    expect(ops('ENTRYPOINT')).toEqual([]);
    // `npm start` is the plain command for a developer; runtime tuning is the deployment's.
    expect(pkg.scripts['start']).toBe('node src/main.ts');
  });

  test('memory tuning lives in the image: malloc settings as ENV, V8 heap flags as node arguments', () => {
    const env = stageEnv(final);
    expect(env['MALLOC_ARENA_MAX']).toBe('2');
    expect(env['MALLOC_MMAP_THRESHOLD_']).toBe('131072');
    const cmd = execForm(ops('CMD').at(-1)!.args)!;
    expect(cmd).toEqual(['node', '--max-semi-space-size=8', '--heap-growing-percent=30', 'src/main.ts']);
    // …and not in package.json, where `npm start` would hide them from the deployment.
    expect(JSON.stringify(pkg.scripts)).not.toMatch(/MALLOC_|--max-semi-space-size|--heap-growing-percent/);
  });

  test('installs run no scripts of our own (no postinstall edits of node_modules)', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
  });

  test('the final image has no dev dependencies and no npm install of its own', () => {
    // Dependencies are installed once, with --omit=dev, in a stage whose node_modules the final stage copies.
    const installs = stages.flatMap((s) => s.instructions.filter((i) => i.op === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args)).map((i) => ({ stage: s, i })));
    expect(installs.length).toBeGreaterThan(0);
    for (const { i } of installs) {
      expect(i.args).toMatch(/\bnpm ci\b/); // the lockfile, exactly
      expect(i.args).toContain('--omit=dev');
    }
    expect(installs.map((x) => x.stage)).not.toContain(final);
    const copiedModules = ops('COPY').filter((c) => copyPaths(c).sources.some((s) => s.includes('node_modules')));
    expect(copiedModules).toHaveLength(1);
    const from = stages.find((s) => s.name === copiedModules[0]!.flags['from']);
    expect(installs.map((x) => x.stage)).toContain(from);
    expect(stageEnv(final)['NODE_ENV']).toBe('production');
    // The dev toolchain's own Node binary (devDependency `node`) must not be what runs the app.
    expect(pkg.devDependencies['node']).toBeDefined();
  });

  test('copies named paths only (no `COPY . .`), each present and not excluded by .dockerignore', () => {
    const ignored = dockerignore(readFileSync('.dockerignore', 'utf8'));
    const fromContext = stages.flatMap((s) => s.instructions.filter((i) => i.op === 'COPY' && !i.flags['from']));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const c of fromContext) {
      for (const src of copyPaths(c).sources) {
        expect(src, `line ${c.line}`).not.toBe('.');
        expect(existsSync(src), `${src} (line ${c.line}) exists`).toBe(true);
        expect(ignored(src), `${src} (line ${c.line}) is not in .dockerignore`).toBe(false);
      }
    }
  });

  test('.dockerignore keeps secrets, state and dependencies out of the build context', () => {
    const ignored = dockerignore(readFileSync('.dockerignore', 'utf8'));
    for (const p of [
      '.env',
      '.env.production',
      'node_modules',
      'node_modules/pg/package.json',
      'data/pgdata',
      '.git/config',
      'test/e2e/x.test.ts',
      'app.log',
    ]) {
      expect(ignored(p), p).toBe(true);
    }
    for (const p of ['src/main.ts', 'migrations/0001_initial.ts', 'package.json', 'package-lock.json', 'assets/fonts/DejaVuSans.ttf']) {
      expect(ignored(p), p).toBe(false);
    }
  });

  test('the reader understands what it is given (guards the helper itself)', () => {
    const s = parseDockerfile('ARG B=node:1\nFROM ${B} AS one\nRUN --mount=type=cache,target=/x a \\\n  && b\nFROM one\nCOPY --from=one /a ./b\n');
    expect(s.map((x) => [x.image, x.name])).toEqual([
      ['node:1', 'one'],
      ['one', undefined],
    ]);
    expect(s[0]!.instructions[0]).toMatchObject({ op: 'RUN', args: 'a && b', flags: { mount: 'type=cache,target=/x' } });
    expect(copyPaths(s[1]!.instructions[0]!)).toEqual({ sources: ['/a'], dest: './b' });
  });
});
