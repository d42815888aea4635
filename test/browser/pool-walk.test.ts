import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openWorkspace, type Workspace } from './helpers.ts';

/** The warm pool, walked in the local workspace: an admin pools an image, then a launch of it resumes a clone. */
describe('local workspace: warm pool', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'pool-walk', user: 'U_ADMIN' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  test('`/demo admin pool acme crm 1`, then Alice’s launch comes from the pool', { timeout: 120_000 }, async () => {
    await ws.openChannel('general');
    await ws.runCommand('/demo admin pool acme crm 1');
    await ws.waitForMessageContaining('keeps 1 suspended clone ready');
    // The clone is made and suspended in the simulator (the workspace's GCE panel shows it).
    await expect.poll(() => ws.gcePanel().locator('[data-gce="instances"] .status').allTextContents(), { timeout: 20_000 }).toEqual(['SUSPENDED']);
    await ws.runCommand('/demo admin pool');
    await ws.waitForMessageContaining('1 ready, 0 warming of 1');
    await ws.shot('pool-admin');

    await ws.asUser('U_ALICE');
    await ws.runCommand('/demo launch crm-demo');
    await ws.modal('Launch a demo');
    await ws.submitModal();
    await ws.closeModal();
    await ws.openApp('messages');
    const dm = await ws.waitForMessageContaining('From the warm pool: ready in');
    await expect(dm.getByRole('link', { name: 'Cloud Console' }).count()).resolves.toBe(1);
    await ws.shot('pooled-launch-ready');
  });
});
