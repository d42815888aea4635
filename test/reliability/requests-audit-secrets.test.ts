import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog, statusDm } from '../harness/flows.ts';
import { appHomeOpened } from '../harness/slack-requests.ts';

describe('Slack retries, the audit log, and secrets in logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('a retried Events API delivery (same event_id, X-Slack-Retry-Num) is handled once', async () => {
    const before = t.fake.callsTo('views.publish').length;
    const request = appHomeOpened(t.fake, { user: 'U_ALICE', eventId: 'Ev0RETRY1' });
    const first = await t.slack.send(request);
    await eventually(
      () => t.fake.callsTo('views.publish').length,
      (n) => n === before + 1,
    );
    const retry = await t.slack.send(request, { retryNum: 1, retryReason: 'http_timeout' });
    const retry2 = await t.slack.send(request, { retryNum: 2, retryReason: 'http_timeout' });
    expect([first.response.status, retry.response.status, retry2.response.status]).toEqual([200, 200, 200]);
    // Positive signal that both retries were handled: each was recognised as a repeat and dropped.
    await eventually(
      () => t.logs.filter((l) => l.includes('Ev0RETRY1') && l.includes('ignoring a repeated delivery')).length,
      (n) => n === 2,
    );
    expect(t.fake.callsTo('views.publish').length).toBe(before + 1);
  });

  test('state changes are audited with who, what, when, before and after; /demo audit shows them to admins only', async () => {
    await launchFromCatalog(t, 'U_ALICE', 'crm-demo');
    const demo = await demoInState(t, 'U_ALICE', 'running', 'ready');
    const dm = await eventually(
      () => statusDm(t, demo),
      (m) => JSON.stringify(m.blocks ?? []).includes('demos.stop'),
    );
    await t.slack.action({ user: 'U_ALICE', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.stop' });
    await demoInState(t, 'U_ALICE', 'stopped');
    const rows = await t.db.selectFrom('audit_log').selectAll().where('resource_id', '=', demo.id).orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(['demo.launch', 'demo.stop']);
    expect(rows[1]).toMatchObject({ actor_id: 'U_ALICE', resource_kind: 'demo', before: { state: 'running' }, after: { progress: 'stopping' } });

    await t.slack.command({ user: 'U_BOB', text: 'audit' });
    expect(t.fake.ephemerals('U_BOB').at(-1)?.text).toMatch(/Only an admin/);

    await t.slack.command({ user: 'U_ADMIN', text: 'audit <@U_ALICE|alice>' });
    const report = await eventually(
      () => t.fake.ephemerals('U_ADMIN').at(-1),
      (e) => !!e?.text.includes('Audit log'),
    );
    const text = JSON.stringify(report!.blocks);
    expect(text).toContain('demo.stop');
    expect(text).toContain('demo.launch');
  });

  test('tokens and the signing secret never reach the logs, even on error paths', async () => {
    // Errors from Slack (500s, refused auth) and a request with a bad signature; each is waited for
    // by what it leaves behind, so the logs below hold every one of them.
    t.fake.failNext('views.open', { error: 'internal_error', status: 500 }, 10);
    await t.slack.command({ user: 'U_BOB', text: 'browse' });
    // The 500s are retried for minutes; the first one has reached the app's client.
    await t.fake.waitFor('views.open', (c) => c.status === 500, 15_000);
    // Refused auth is not retried: the request fails, and is logged with an error id.
    t.fake.failNext('views.publish', { error: 'invalid_auth' }, 1);
    await t.slack.send(appHomeOpened(t.fake, { user: 'U_ERIN', eventId: 'Ev0AUTHFAIL' }));
    await eventually(() => t.logs.find((l) => l.includes('"errorId"') && l.includes('invalid_auth')));
    const wrong = await t.slack.command({ user: 'U_BOB', text: 'browse' }, { signature: 'wrong' });
    expect(wrong.response.status).toBe(401);
    await eventually(() => t.logs.find((l) => l.includes('signature mismatch')));
    const mark = t.fake.mark();
    await t.slack.command({ user: 'U_BOB', text: 'list' });
    await t.fake.waitFor('response_url', (c) => String(c.args['text']).includes('demo(s)'), { after: mark, timeoutMs: 15_000 });
    t.app.ctx.log.error(
      { config: t.config, token: t.config.slack.botToken, headers: { authorization: `Bearer ${t.config.slack.botToken}` } },
      `a careless log line with ${TEST_SIGNING_SECRET}`,
    );
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).toContain('[REDACTED]');
    expect(all).not.toContain(t.fake.identity.token);
    expect(all).not.toContain(TEST_SIGNING_SECRET);
  });
});
