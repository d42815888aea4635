import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openWorkspace, type Workspace } from './helpers.ts';

/**
 * Mentions typed in the composer reach the app as Slack's client sends them; a refusal shows where the
 * user clicked; Extend on the status DM says what it did.
 */
describe('local workspace: mentions in the composer, answers where the user acted', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'notify-walk', user: 'U_ADMIN' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  const input = () => ws.page.locator('#composer-input');
  const suggestions = () => ws.page.locator('.mention-list:not([hidden]) [role="option"]');

  /** A command that opens a modal, submitted as it opens, then closed. */
  async function submitFromCommand(command: string, title: string): Promise<void> {
    await ws.runCommand(command);
    await ws.modal(title);
    await ws.submitModal();
    await ws.closeModal();
  }

  /** Type what a person types (key by key, so the autocomplete sees it), then send with Enter. */
  async function typeAndSend(text: string): Promise<void> {
    await input().pressSequentially(text);
    const answered = ws.page.waitForResponse((r) => /\/local\/api\/command$/.test(r.url()));
    await input().press('Enter');
    expect(((await (await answered).json()) as { ok: boolean }).ok).toBe(true);
  }

  test('`/demo digest subscribe #demo-vm weekly` and `/demo usage @Alice`, typed with the suggestions', { timeout: 120_000 }, async () => {
    const commands: string[] = [];
    ws.page.on('request', (r) => {
      if (r.url().endsWith('/local/api/command')) commands.push((JSON.parse(r.postData() ?? '{}') as { text: string }).text);
    });

    await input().pressSequentially('/demo digest subscribe #dem');
    await expect.poll(() => suggestions().allTextContents()).toEqual(['#demo-vm', '#demo-approvals']);
    await ws.shot('channel-suggestions');
    await input().press('Enter'); // picks the highlighted one, sends nothing
    await expect(input().inputValue()).resolves.toBe('/demo digest subscribe #demo-vm ');
    await typeAndSend('weekly');
    expect(commands.at(-1)).toBe('/demo digest subscribe <#C_DEMOS|demo-vm> weekly');
    await ws.waitForMessageContaining('Subscribed #demo-vm');

    await input().pressSequentially('/demo usage @Ali');
    await expect.poll(() => suggestions().allTextContents()).toEqual(['Alice Adams@alice']);
    await ws.shot('user-suggestions');
    await suggestions().first().dispatchEvent('mousedown'); // a click picks it too
    await expect(input().inputValue()).resolves.toBe('/demo usage @alice ');
    const answered = ws.page.waitForResponse((r) => /\/local\/api\/command$/.test(r.url()));
    await input().press('Enter');
    await answered;
    expect(commands.at(-1)).toBe('/demo usage <@U_ALICE|alice>');
    const report = await ws.waitForMessageContaining('Demo VM usage');
    await expect(report.textContent()).resolves.toContain('Alice Adams');

    // Typed without the list, by real name, it is converted all the same.
    await typeAndSend('/demo usage @Alice Adams last week');
    expect(commands.at(-1)).toBe('/demo usage <@U_ALICE|alice> last week');
    await expect.poll(() => ws.page.locator('#pane-body .message', { hasText: 'Demo VM usage' }).count()).toBe(2);
    await ws.shot('usage-of-alice');
  });

  test("approving one's own share request: the refusal shows in the approvals channel, to the clicker", { timeout: 120_000 }, async () => {
    const db = new pg.Client({ connectionString: ws.app.database.url });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO images (project, gce_name, title, description, owner_id, visibility, origin, created_at, updated_at)
         SELECT project, 'img-maria-crm', 'Maria CRM', '', 'U_MANAGER', 'private', 'saved', now(), now() FROM images LIMIT 1`,
      );
    } finally {
      await db.end();
    }
    await ws.asUser('U_MANAGER');
    await submitFromCommand('/demo share Maria CRM', 'Share an image');
    await ws.openChannel('demo-approvals');
    await ws.waitForMessageContaining('Maria CRM');
    await ws.clickButton('Approve');
    await ws.confirm();
    const refusal = await ws.waitForMessageContaining('your own share request');
    await expect(refusal.getAttribute('data-kind')).resolves.toBe('ephemeral');
    await ws.shot('self-approval-refused');
  });

  test('Extend on the status DM: the DM shows the new expiry and an ephemeral says what happened', { timeout: 120_000 }, async () => {
    await ws.asUser('U_ALICE');
    await ws.openChannel('demo-vm');
    await submitFromCommand('/demo launch crm-demo', 'Launch a demo');
    await ws.openApp('messages');
    const dm = await ws.waitForMessageContaining('Ready.');
    await ws.clickButton('Extend (+2 h)', dm);
    await ws.waitForMessageContaining('Extended:');
    await ws.shot('extend-confirmed');
  });
});
