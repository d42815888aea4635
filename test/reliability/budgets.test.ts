import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, demoRows, imageIdOf, launchFromCatalog } from '../harness/flows.ts';
import { launch } from '../../src/demos/service.ts';
import { budgetStatus } from '../../src/budgets/service.ts';

describe('budgets: demos running at once and cost this month', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1', BUDGET_MAX_RUNNING: '2', BUDGET_MONTHLY_USD: '50' } });
  });
  afterAll(async () => t?.close());

  const launchAs = async (user: string, key: string, ttlHours = 8, machineType = 'e2-medium') =>
    launch(t.app.ctx, await t.app.ctx.actor(user), {
      imageId: await imageIdOf(t, 'crm-demo'),
      zone: 'us-central1-a',
      machineType,
      ttlHours,
      submissionKey: key,
    });

  test('a launch past the running limit is refused with the numbers', async () => {
    const user = 'U_CAROL';
    await launchAs(user, 'carol-1');
    await launchAs(user, 'carol-2');
    await expect(launchAs(user, 'carol-3')).rejects.toThrow(/You already have 2 demos running, and your limit is 2/);
    // Through Slack: the launch modal turns into the refusal.
    await launchFromCatalog(t, user, 'crm-demo');
    await eventually(
      () => t.fake.views(user).at(-1),
      (v) => JSON.stringify(v?.blocks ?? []).includes('your limit is 2'),
    );
    expect(await demoRows(t, user)).toHaveLength(2);
  });

  test('concurrent launches cannot both pass the limit', async () => {
    const user = 'U_DAVE';
    await launchAs(user, 'dave-1');
    const results = await Promise.allSettled([launchAs(user, 'dave-2'), launchAs(user, 'dave-3'), launchAs(user, 'dave-4')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await demoRows(t, user)).length).toBe(2);
  });

  test('the monthly limit counts spent cost plus what live demos reserve; admins override and reset it', async () => {
    const user = 'U_ERIN';
    await t.slack.command({ user: 'U_ADMIN', text: 'admin budget <@U_ERIN|erin> monthly 0.50' });
    await eventually(
      () => t.fake.ephemerals('U_ADMIN').at(-1)?.text ?? '',
      (s) => s.includes('<@U_ERIN>'),
    );
    // e2-medium in us-central1 costs about USD 0.034 an hour: 8 h reserves ~0.27, twice is over 0.50.
    await launchAs(user, 'erin-1', 8);
    const refused = launchAs(user, 'erin-2', 8);
    await expect(refused).rejects.toThrow(
      /past your USD 0\.50 budget: USD 0\.00 spent so far, USD 0\.2\d reserved by demos still running, and USD 0\.2\d for this one \(8 h × USD 0\.03\/h for e2-medium\)/,
    );
    const status = await budgetStatus(t.db, t.config, user, new Date());
    expect(status).toMatchObject({ monthlyLimit: 0.5, maxRunning: 2, running: 1, overridden: true });
    // A shorter lease fits.
    await launchAs(user, 'erin-3', 2);
    // Back to the defaults.
    await t.slack.command({ user: 'U_ADMIN', text: 'admin budget <@U_ERIN> reset' });
    await eventually(
      async () => (await budgetStatus(t.db, t.config, user, new Date())).monthlyLimit,
      (l) => l === 50,
    );
    const audit = await t.db.selectFrom('audit_log').select('action').where('resource_id', '=', user).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['budget.set', 'budget.reset']);
    // Not an admin: refused.
    await t.slack.command({ user: 'U_BOB', text: 'admin budget <@U_BOB> monthly 99999' });
    expect(t.fake.ephemerals('U_BOB').at(-1)?.text).toMatch(/Only an admin/);
  });

  test('App Home shows usage against the limits', async () => {
    const user = 'U_FRANK';
    await launchFromCatalog(t, user, 'crm-demo');
    await demoInState(t, user, 'running', 'ready');
    await t.slack.homeOpened({ user });
    const home = await eventually(
      () => t.fake.home(user),
      (h) => !!h && JSON.stringify(h.blocks).includes('demos running'),
    );
    expect(JSON.stringify(home!.blocks)).toMatch(/1 of 2 demos running · USD 0\.\d\d spent \+ USD \d+\.\d\d reserved of USD 50\.00 this month/);
  });
});
