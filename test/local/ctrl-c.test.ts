/**
 * Ctrl-C on `npm start`: it says what it waits for and, with no job step running, does not sit out
 * the shutdown grace (here 30 s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnLocal, type LocalProcess } from './spawn.ts';

describe('Ctrl-C', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-vm-ctrl-c-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  test('an idle local app exits well within 5 s of SIGINT and says it waited for nothing', { timeout: 120_000 }, async () => {
    let app: LocalProcess | undefined;
    try {
      app = await spawnLocal({ DATA_DIR: dataDir, SHUTDOWN_GRACE_SECONDS: '30' });
      // Idle: the start-up tasks (catalog sync, its comment threads) have had time to finish; nothing
      // signals their end from outside, and on a loaded machine they take seconds.
      await new Promise((r) => setTimeout(r, 8_000));
      const started = Date.now();
      app.child.kill('SIGINT');
      const code = await app.exited;
      const tookMs = Date.now() - started;
      expect(code, app.output()).toBe(0);
      expect(tookMs, app.output()).toBeLessThan(5_000);
      expect(app.output()).toContain('Stopping: no job step is running.');
    } finally {
      app?.child.kill('SIGKILL');
    }
  });
});
