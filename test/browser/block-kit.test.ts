import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openWorkspace, type Workspace } from './helpers.ts';
import { kitchenSinkMessage, kitchenSinkModal, MESSAGE_BLOCK_TYPES, MODAL_BLOCK_TYPES } from './kitchen-sink.ts';

describe('local workspace: Block Kit rendering', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'block-kit' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  test('a message with every block type the app emits renders without an "unsupported" box', async () => {
    const slack = ws.local.app.ctx.slack;
    await slack.chat.postMessage({ channel: 'C_GENERAL', text: 'Kitchen sink', blocks: kitchenSinkMessage as never });
    await ws.openChannel('general');
    const message = await ws.waitForMessageContaining('Kitchen sink');
    for (const type of MESSAGE_BLOCK_TYPES) await expect(message.locator(`[data-block-type="${type}"]`).count(), type).resolves.toBeGreaterThan(0);
    await expect(message.locator('.unsupported').count()).resolves.toBe(0);

    // mrkdwn: formatting, links, mentions in names, dates in the reader's zone, emoji, escapes.
    const text = message.locator('.section-text').first();
    await expect(text.locator('b').textContent()).resolves.toBe('bold');
    await expect(text.locator('i').textContent()).resolves.toBe('italic');
    await expect(text.locator('s').textContent()).resolves.toBe('strike');
    await expect(text.getByRole('link', { name: 'a link' }).getAttribute('href')).resolves.toBe('https://example.com');
    await expect(text.textContent()).resolves.toContain('@Bob Brown');
    await expect(text.textContent()).resolves.toContain('#demo-vm');
    await expect(text.textContent()).resolves.toContain('Nov 14, 2023 at 11:13 PM'); // Alice is in Europe/Berlin
    await expect(text.textContent()).resolves.toContain('✅');
    await expect(text.textContent()).resolves.toContain('<escaped>');
    await expect(text.locator('blockquote').textContent()).resolves.toBe('quoted line');
    await expect(message.locator('.bk-button.primary', { hasText: 'Approve' }).count()).resolves.toBe(1);
    await expect(message.locator('.bk-button.danger', { hasText: 'Delete' }).count()).resolves.toBe(1);
    await ws.shot('kitchen-sink-message');

    // A confirm dialog comes first; cancelling it sends nothing.
    await message.locator('.bk-button', { hasText: 'Delete' }).click();
    await expect(ws.page.locator('.confirm').textContent()).resolves.toContain('This cannot be undone.');
    await ws.shot('confirm-dialog');
    await ws.confirm(false);
    await expect(ws.page.locator('.confirm').count()).resolves.toBe(0);
  });

  test('a modal with every input the app uses renders, with its initial values', async () => {
    const triggerId = ws.local.fake.issueTriggerId('U_ALICE');
    await ws.local.app.ctx.slack.views.open({ trigger_id: triggerId, view: kitchenSinkModal as never });
    const modal = await ws.modal('Kitchen sink');
    for (const type of MODAL_BLOCK_TYPES) await expect(modal.locator(`[data-block-type="${type}"]`).count(), type).resolves.toBeGreaterThan(0);
    await expect(modal.getByLabel('Name').inputValue()).resolves.toBe('crm');
    await expect(modal.locator('textarea').count()).resolves.toBe(1);
    await expect(modal.getByRole('radiogroup').count()).resolves.toBe(1);
    await expect(modal.locator('.unsupported').count()).resolves.toBe(0);
    await ws.shot('kitchen-sink-modal');
    await ws.closeModal();
  });

  test('an unknown block type shows as a visible "unsupported block" box', async () => {
    const fake = ws.local.fake;
    // Slack's API would refuse it today; a future block type would arrive just like this.
    fake.workspace.messages.post('C_GENERAL', {
      text: 'From the future',
      bot_id: fake.identity.botId,
      user: fake.identity.botUserId,
      blocks: [
        { type: 'hologram', block_id: 'h1' },
        { type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: 'From the future' } },
      ],
    });
    const message = await ws.waitForMessageContaining('From the future');
    await expect(message.locator('.unsupported').textContent()).resolves.toBe('unsupported block: hologram');
    await expect(message.locator('.section-text').textContent()).resolves.toBe('From the future');
    await ws.shot('unsupported-block', { allowUnsupported: true });
  });

  test('an external select asks the app for options as the user types (block_suggestion)', async () => {
    await ws.openChannel('demo-vm');
    await ws.runCommand('/demo');
    const browse = await ws.modal('Demo catalog');
    const jump = browse.getByRole('combobox', { name: /Jump to an image/ });
    await jump.fill('retail');
    const option = browse.getByRole('option', { name: /Retail storefront/ });
    await option.waitFor();
    await ws.shot('external-select-options');
    await option.click();
    const detail = await ws.modal('Image details');
    await expect.poll(() => detail.textContent()).toContain('retail-storefront');
    await ws.shot('external-select-picked');
    await ws.closeModal();
  });
});
