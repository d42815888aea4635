import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { ephemeralSaying, launchDemo, settledDm, text } from '../lifecycle/helpers.ts';

/** Issue 19: people read short names (acme-crm-alice-7f3k), never hex ids, in the DM, Home, /demo list and the fleet. */

/** What a reader sees: link targets (console URLs carry the GCE name) are left out. */
const visible = (blocks: unknown) => text(blocks).replace(/<https?:[^|>]*\|/g, '<');

describe('display names', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('a demo is named after its image and its owner, and that name is what the DM, Home, /demo list and the fleet show', async () => {
    const demo = await launchDemo(t, 'U_ALICE');
    expect(demo.display_name).toMatch(/^acme-crm-alice-[a-z2-9]{4}$/);
    const hex = demo.instance_name;

    const dm = await settledDm(t, demo.id);
    expect(visible(dm.blocks)).toContain(demo.display_name);
    expect(visible(dm.blocks)).not.toContain(hex);

    await t.slack.homeOpened({ user: 'U_ALICE' });
    const home = await eventually(
      () => t.fake.home('U_ALICE'),
      (h) => !!h && text(h.blocks).includes(demo.display_name),
    );
    expect(visible(home!.blocks)).not.toContain(hex);

    await t.slack.command({ user: 'U_ALICE', text: 'list' });
    const list = await ephemeralSaying(t, 'U_ALICE', 'Your demos');
    expect(visible(list.blocks)).toContain(demo.display_name);
    expect(visible(list.blocks)).not.toContain(hex);

    await t.slack.command({ user: 'U_ADMIN', text: 'admin fleet' });
    const fleet = await ephemeralSaying(t, 'U_ADMIN', demo.display_name);
    expect(visible(fleet.blocks)).not.toContain(hex);
  });
});
