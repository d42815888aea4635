import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openWorkspace, type Workspace } from './helpers.ts';

/** The ways in, as a newcomer sees them: an empty Home that leads to the catalog, and Launch on each entry. */
describe('local workspace: Home empty state → catalog → launch modal', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'entry-points' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  test('Home offers the catalog and three images; the catalog has labelled filters and Launch beside Details', { timeout: 120_000 }, async () => {
    await ws.openApp('home');
    const home = ws.page.locator('#pane-body');
    await home.locator('.bk-button', { hasText: 'Browse the catalog' }).waitFor();
    await expect.poll(() => home.locator('.bk-button', { hasText: /^Launch$/ }).count()).toBe(3);
    await ws.shot('home-empty');

    await ws.clickButton('Browse the catalog', home);
    const browse = await ws.modal('Demo catalog');
    await expect.poll(() => browse.locator('.bk-button', { hasText: /^Launch$/ }).count()).toBe(4);
    await expect.poll(() => browse.locator('.bk-button', { hasText: 'Details' }).count()).toBe(4);
    for (const label of ['Show', 'Sort by', 'Jump to an image']) await expect(browse.textContent()).resolves.toContain(label);
    await ws.shot('catalog');

    await ws.clickButton('Launch', browse);
    const launch = await ws.modal('Launch a demo');
    await launch.locator('[data-modal="submit"]').waitFor();
    await ws.shot('launch-modal');
  });
});
