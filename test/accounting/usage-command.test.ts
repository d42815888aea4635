import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { ask, insertDemo, insertImage } from './fixtures.ts';

/** `/demo usage` and `/demo admin price`: who may see and change what, and what bad input gets. */
describe('/demo usage and /demo admin price', () => {
  const clock = new ManualClock('2026-03-04T12:00:00Z'); // Wednesday
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { APPROVER_USER_IDS: 'U_MANAGER' } });
    const image = await insertImage(t, 'CRM <demo> & co');
    await insertDemo(t, { owner: 'U_ALICE', imageId: image, intervals: [['2026-03-02T08:00:00Z', '2026-03-02T11:00:00Z']] }); // 3 h
    await insertDemo(t, {
      owner: 'U_BOB',
      imageId: image,
      machineType: 'n1-standard-1',
      zone: 'asia-east1-a',
      intervals: [['2026-03-03T08:00:00Z', '2026-03-03T10:00:00Z']],
    }); // 2 h
  });
  afterAll(async () => t?.close());

  test('everyone sees their own usage; titles are escaped', async () => {
    const mine = await ask(t, 'U_ALICE', 'usage');
    expect(mine.all).toContain('3.0 h · USD 0.20'); // 3 × 0.067011
    expect(mine.all).toContain('CRM &lt;demo&gt; &amp; co');
    expect(mine.all).not.toContain('U_BOB');
  });

  test("someone else's usage, or everyone's: approvers and admins only", async () => {
    expect((await ask(t, 'U_ALICE', 'usage <@U_BOB|bob>')).text).toBe("Only approvers and admins can see other people's usage.");
    expect((await ask(t, 'U_ALICE', 'usage all')).text).toBe("Only approvers and admins can see other people's usage.");
    // n1-standard-1 has no price in asia-east1 (not an allowed zone, so never priced): unknown, not guessed.
    expect((await ask(t, 'U_MANAGER', 'usage <@U_BOB|bob> this week')).all).toContain('2.0 h · price unknown');
    const all = await ask(t, 'U_ADMIN', 'usage all');
    expect(all.all).toContain('5.0 h');
    expect(all.all).toContain('<@U_ALICE> — 3.0 h');
  });

  test('bad input gets a sentence to act on, never an error id', async () => {
    expect((await ask(t, 'U_ALICE', 'usage next fortnight')).text).toContain("I don't understand the period `next fortnight`");
    expect((await ask(t, 'U_ALICE', 'usage 2026-03-09..2026-03-01')).text).toContain('ends before it starts');
    expect((await ask(t, 'U_ALICE', 'usage @bob')).text).toContain("Pick the person from Slack's autocomplete");
    expect((await ask(t, 'U_ALICE', 'usage help')).text).toContain('Weeks start on Monday');
  });

  test('a date range in the org zone, and a machine type without any price', async () => {
    await t.db.deleteFrom('machine_prices').where('machine_type', '=', 'e2-standard-2').execute();
    const shown = await ask(t, 'U_ALICE', 'usage 2026-03-01..2026-03-02');
    expect(shown.all).toContain('3.0 h · price unknown');
    expect(shown.all).toContain('Sun 1 Mar – Mon 2 Mar 2026');
  });

  test('prices: admins only, validated, audited', async () => {
    expect((await ask(t, 'U_ALICE', 'admin price e2-small us-central1 0.5')).text).toContain('Only an admin');
    expect((await ask(t, 'U_ADMIN', 'admin price e2-small us-central1-a 0.5')).text).toContain('not a region');
    expect((await ask(t, 'U_ADMIN', 'admin price e2-small us-central1 lots')).text).toContain('not a price in USD per hour');
    expect((await ask(t, 'U_ADMIN', 'admin price e2-standard-2 * 0.07')).text).toContain(
      'e2-standard-2 in regions without their own price now costs USD 0.07 per hour (it had none)',
    );
    const list = await ask(t, 'U_ADMIN', 'admin price e2-standard-2');
    expect(list.all).toContain('other regions USD 0.07/h');
    expect((await ask(t, 'U_ALICE', 'usage 2026-03-01..2026-03-02')).all).toContain('3.0 h · USD 0.21');
    const audit = await t.db.selectFrom('audit_log').select(['actor_id', 'resource_id', 'after']).where('action', '=', 'price.set').execute();
    expect(audit).toEqual([{ actor_id: 'U_ADMIN', resource_id: 'e2-standard-2/*', after: { hourlyPrice: 0.07, currency: 'USD' } }]);
  });
});
