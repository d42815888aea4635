import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openWorkspace, type Workspace } from './helpers.ts';

/** The first slice, walked as a sales engineer would: in the browser, through the real signed path. */
describe('local workspace: browse → launch → stop → start → delete', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'launch-walk' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  test('Alice launches a demo from the catalog and takes it through its life', { timeout: 120_000 }, async () => {
    const { page } = ws;
    await ws.shot('workspace');

    await ws.runCommand('/demo');
    const browse = await ws.modal('Demo catalog');
    await expect.poll(() => browse.locator('.bk-button', { hasText: 'Details' }).count()).toBe(4);
    await ws.shot('browse');

    // Search: the input dispatches on Enter, the app redraws the modal with the results.
    await browse.getByRole('textbox', { name: /Search/ }).fill('crm');
    await browse.getByRole('textbox', { name: /Search/ }).press('Enter');
    await expect.poll(() => browse.locator('.bk-button', { hasText: 'Details' }).count()).toBe(1);
    await expect(browse.textContent()).resolves.toContain('Accounts, contacts and a sales pipeline');
    await ws.shot('search');

    await ws.clickButton('Details');
    const detail = await ws.modal('Image details');
    await detail.locator('.bk-button', { hasText: 'Launch' }).waitFor();
    await expect(detail.getAttribute('data-depth')).resolves.toBe('2');
    await ws.shot('detail');

    await ws.clickButton('Launch');
    const launch = await ws.modal('Launch a demo');
    await launch.locator('[data-modal="submit"]').waitFor();
    await expect(launch.getByLabel('Zone').inputValue()).resolves.toBe('us-central1-a');
    await launch.getByLabel('Machine type').selectOption('e2-standard-2');
    await ws.shot('launch-modal');
    // Every edit of the status DM, to check the progress it walked through (too quick to screenshot).
    const progress: string[] = [];
    ws.local.fake.events.on('message_updated', (m) => progress.push(m.text));
    await ws.submitModal();
    await expect.poll(() => launch.textContent()).toContain('on its way');
    await ws.shot('launch-queued');
    await ws.closeModal();
    await expect.poll(() => page.locator('.modal[role="dialog"]').count()).toBe(0);

    // The status DM follows the VM until its links are there.
    await ws.openApp('messages');
    const dm = await ws.waitForMessageContaining('Ready.');
    expect(progress.join('\n')).toMatch(/Creating[\s\S]*Booting[\s\S]*ready/);
    for (const link of ['Cloud Console', 'SSH in browser', 'Serial log']) await expect(dm.getByRole('link', { name: link }).count()).resolves.toBe(1);
    await expect(dm.getByRole('link', { name: 'Cloud Console' }).getAttribute('href')).resolves.toMatch(
      /^https:\/\/console\.cloud\.google\.com\/compute\/instancesDetail\/zones\/us-central1-a\/instances\/demo-/,
    );
    await expect(dm.textContent()).resolves.toContain('e2-standard-2'); // what was picked in the modal
    await expect.poll(() => ws.gcePanel().locator('[data-gce="instances"] .status').allTextContents()).toEqual(['RUNNING']);
    // What you do on the VM, for Cloud Monitoring's series (the idle check reads them): idle until you say.
    const activity = ws.gcePanel().locator('[data-gce="instances"] select.activity');
    await expect(activity.inputValue()).resolves.toBe('idle-noise');
    const vmName = (await activity.getAttribute('data-activity-for'))!;
    await activity.selectOption('screen-share');
    await expect.poll(() => ws.app.sim.monitoring.activity.at(vmName)).toBe('screen-share');
    // The readiness check reached the simulated VM's app, and "Open the app" serves its page.
    await expect.poll(() => dm.textContent(), { timeout: 20_000 }).toContain('the app answered its readiness check');
    await ws.shot('ready');
    // "Open the app" is a button: it opens the app in a tab of its own and tells the app it was pressed.
    const [appPage] = await Promise.all([page.context().waitForEvent('page'), ws.clickButton('Open the app', dm)]);
    await appPage.waitForLoadState();
    expect(appPage.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crm\/login$/);
    await expect(appPage.locator('h1').textContent()).resolves.toBe('Acme CRM');
    await appPage.screenshot({ path: new URL('../../test-artifacts/browser/launch-walk/app-page.png', import.meta.url).pathname });
    await appPage.close();

    await ws.clickButton('Stop', dm);
    await expect(page.locator('.confirm').textContent()).resolves.toContain('Stop this demo?');
    await ws.shot('stop-confirm');
    await ws.confirm();
    await ws.waitForMessageContaining('Stopped.');
    await expect.poll(() => ws.gcePanel().locator('[data-gce="instances"] .status').allTextContents()).toEqual(['TERMINATED']);
    await ws.shot('stopped');

    await ws.clickButton('Start', await ws.waitForMessageContaining('Stopped.'));
    const restarted = await ws.waitForMessageContaining('Ready.');
    await ws.shot('started');

    await ws.clickButton('Delete', restarted);
    await ws.confirm();
    await ws.waitForMessageContaining('deleted');
    await expect.poll(() => ws.gcePanel().locator('[data-gce="instances"] tbody tr').count()).toBe(0);
    await ws.shot('deleted');
  });

  test('the wrong user is refused, and sees nothing of Alice’s', { timeout: 60_000 }, async () => {
    await ws.asUser('U_BOB');
    await ws.openChannel('demo-vm');
    await ws.runCommand('/demo admin publish crm-demo');
    const refusal = await ws.waitForMessageContaining('Only an admin can use');
    await expect(refusal.getAttribute('data-kind')).resolves.toBe('ephemeral');
    await ws.shot('bob-refused');

    // Alice's status DM is hers: Bob's DM with the app is empty.
    await ws.openApp('messages');
    await expect(ws.page.locator('#pane-body .message').count()).resolves.toBe(0);
    // …and Alice's refusal-free channel view did not get Bob's ephemeral.
    await ws.asUser('U_ALICE');
    await ws.openChannel('demo-vm');
    await expect(ws.page.locator('#pane-body .message', { hasText: 'Only an admin' }).count()).resolves.toBe(0);
    await ws.shot('alice-does-not-see-it');
  });
});
