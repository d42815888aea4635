import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { isLoopback, localWorkspaceRefusal } from '../../src/local-safety.ts';
import { LocalWorkspaceRefused, startLocal } from '../../sim/workspace/start.ts';
import { createLogger } from '../../src/platform/log.ts';
import { nonLoopbackAddresses, tryConnect } from './net.ts';
import { spawnLocal, type LocalProcess } from './spawn.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const REAL = { GCP_PROJECT: 'acme-prod-123456' };

describe('refusing to run against a real GCP project without the opt-in', () => {
  test.each([
    ['a real project (default endpoint)', REAL, true],
    ['a real project via an https endpoint', { ...REAL, GCE_API_ENDPOINT: 'https://compute.googleapis.com' }, true],
    ['an http:// emulator', { ...REAL, GCE_API_ENDPOINT: 'http://127.0.0.1:8085' }, false],
    ['the built-in simulator', {}, false],
    ['a real project with ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP=true', { ...REAL, ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP: 'true' }, false],
    ['a real Slack workspace (not the local one)', { ...REAL, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'a-signing-secret' }, false],
  ])('%s', (_name, env, refused) => {
    const refusal = localWorkspaceRefusal(loadConfig(env));
    if (refused) expect(refusal).toMatch(/Refusing to start the local workspace .* acme-prod-123456.*ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP=true/);
    else expect(refusal).toBeUndefined();
  });

  test('startLocal refuses before it starts anything', async () => {
    const log = createLogger({ level: 'silent' });
    await expect(startLocal({ config: loadConfig(REAL), log })).rejects.toBeInstanceOf(LocalWorkspaceRefused);
  });

  test('`npm start` exits with EX_CONFIG and says why', async () => {
    const child = spawn(process.execPath, ['src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...REAL, DATA_DIR: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('Refusing to start the local workspace (no login) against the real GCP project acme-prod-123456');
  });
});

describe('listening on this machine only', () => {
  test('local mode binds 127.0.0.1 unless BIND_ADDRESS says otherwise; Slack modes bind everywhere', () => {
    expect(loadConfig({}).bindAddress).toBe('127.0.0.1');
    expect(loadConfig({ BIND_ADDRESS: '0.0.0.0' }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'a-signing-secret' }).bindAddress).toBe('0.0.0.0');
    for (const a of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.1.5']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.4', '192.168.1.2']) expect(isLoopback(a), a).toBe(false);
  });

  test('`npm start` with nothing configured serves the page on 127.0.0.1 only', { timeout: 90_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'demo-vm-local-'));
    let app: LocalProcess | undefined;
    let failure: unknown;
    try {
      app = await spawnLocal({ DATA_DIR: dataDir });
      const url = app.url;
      const { hostname, port } = new URL(url);
      expect(hostname).toBe('127.0.0.1');
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Local workspace — not Slack');
      for (const address of nonLoopbackAddresses()) expect(await tryConnect(address, Number(port)), address).toBe('ECONNREFUSED');
    } catch (err) {
      failure = err;
    }
    app?.child.kill('SIGTERM');
    const code = await app?.exited;
    await rm(dataDir, { recursive: true, force: true });
    if (failure) throw failure;
    expect(code, app?.output()).toBe(0);
  });
});
