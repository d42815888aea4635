/**
 * Ctrl-C on `npm start`: it says what it waits for and, with no job step running, does not sit out
 * the shutdown grace (here an hour, far beyond the test's timeout).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../harness/eventually.ts';
import { spawnLocal, type LocalProcess } from './spawn.ts';

/** Its start-up catalog sync is done (logged at info) and /metrics counts no job ready or active. */
async function idle(app: LocalProcess): Promise<boolean> {
  if (!app.output().includes('catalog synced with GCE at start')) return false;
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  const depths = [...metrics.matchAll(/^demo_vm_job_queue_depth\{([^}]*)\} (\d+)$/gm)];
  if (!depths.length) return false;
  return depths.every(([, labels, n]) => !/state="(ready|active)"/.test(labels!) || n === '0');
}

describe('Ctrl-C', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-vm-ctrl-c-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  test('an idle local app exits on SIGINT without sitting out the shutdown grace, and says it waited for nothing', { timeout: 120_000 }, async () => {
    let app: LocalProcess | undefined;
    try {
      app = await spawnLocal({ DATA_DIR: dataDir, SHUTDOWN_GRACE_SECONDS: '3600', LOG_LEVEL: 'info' });
      const running = app;
      await eventually(() => idle(running), Boolean, 60_000);
      app.child.kill('SIGINT');
      expect(await app.exited, app.output()).toBe(0);
      expect(app.output()).toContain('Stopping: no job step is running.');
    } finally {
      app?.child.kill('SIGKILL');
    }
  });
});
