import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openWorkspace, type Workspace } from './helpers.ts';

describe('local workspace: the Slack around the app', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'workspace' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  test('the page says it is a local workspace, not Slack, and who you are acting as', async () => {
    await expect(ws.page.locator('[data-banner="local"]').textContent()).resolves.toContain('Local workspace — not Slack.');
    await expect(ws.page.locator('[data-banner="real-gcp"]').count()).resolves.toBe(0);
    await expect(ws.page.locator('#user-switch option').allTextContents()).resolves.toEqual([
      'Alice Adams — Sales Engineer',
      'Bob Brown — Sales Engineer',
      'Maria Manager — SE Manager (approver)',
      'Adam Admin — Admin',
    ]);
  });

  test('messages and thread replies go to the app as message events', async () => {
    await ws.openChannel('general');
    await ws.say('Who has a CRM demo running?');
    await ws.waitForMessageContaining('Who has a CRM demo running?');
    await ws.asUser('U_BOB');
    // Bob opens the thread and answers.
    const asBob = await ws.waitForMessageContaining('Who has a CRM demo running?');
    await expect(asBob.locator('.author').textContent()).resolves.toBe('Alice Adams');
    await asBob.hover();
    await asBob.getByRole('button', { name: 'Reply in thread' }).click();
    const reply = ws.page.getByRole('textbox', { name: 'Reply in thread' });
    const answered = ws.page.waitForResponse((r) => r.url().endsWith('/local/api/message'));
    await reply.fill('I do, in us-central1-a.');
    await reply.press('Enter');
    expect((await (await answered).json()) as unknown).toEqual({ ok: true });
    await ws.page.locator('.thread .message', { hasText: 'I do, in us-central1-a.' }).waitFor();
    await expect(asBob.locator('.thread-link').textContent()).resolves.toBe('1 reply');
    await ws.shot('thread');
  });

  test('the App Home tab opens (app_home_opened) and shows what the app published', async () => {
    await ws.asUser('U_ALICE');
    await ws.openApp('home');
    // Until the app publishes a Home tab for this user, the page says so.
    await ws.page.locator('#pane-body .home, #pane-body .empty').first().waitFor();
    await ws.shot('app-home');
  });
});

describe('local workspace against a real GCP project (opted in)', () => {
  let ws: Workspace;
  beforeAll(async () => {
    // GCE calls still go to the simulator here: tests never reach Google.
    ws = await openWorkspace({ name: 'real-gcp-banner', env: { GCP_PROJECT: 'acme-prod-123456', ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP: 'true' } });
  });
  afterAll(async () => ws?.close());

  test('shows a red banner naming the project on the page', async () => {
    const banner = ws.page.locator('[data-banner="real-gcp"]');
    await expect(banner.textContent()).resolves.toContain('Real GCP project acme-prod-123456.');
    await expect(banner.evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe('rgb(224, 30, 90)');
    await expect(ws.gcePanel().textContent()).resolves.toContain('the real Google Compute Engine');
    await ws.shot('banner');
  });
});
