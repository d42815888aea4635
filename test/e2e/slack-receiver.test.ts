import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.ts';

describe('the real Bolt receiver', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  test('a signed /demo help is answered, and the user sees the help in Slack', async () => {
    const sent = await t.slack.command({ user: 'U_ALICE', channel: 'C_GENERAL', text: 'help' });
    expect(sent.response.status).toBe(200);
    const shown = t.fake.ephemerals('U_ALICE').at(-1);
    expect(shown?.channel).toBe('C_GENERAL');
    expect(shown?.text).toContain('/demo browse');
    expect(shown?.text).toContain('/demo launch');
    // Admin-only commands are not offered to everyone.
    expect(shown?.text).not.toContain('admin publish');
  });

  test('an admin sees the admin commands in help', async () => {
    await t.slack.command({ user: 'U_ADMIN', text: 'help' });
    expect(t.fake.ephemerals('U_ADMIN').at(-1)?.text).toContain('/demo admin publish');
  });

  test.each([
    ['unsigned', 'none'],
    ['wrongly signed', 'wrong'],
    ['stale (over 5 minutes old)', 'stale'],
  ] as const)('a %s request is refused with 401 and nothing is done', async (_name, signature) => {
    const callsBefore = t.fake.calls.length;
    const ephemeralsBefore = t.fake.ephemerals('U_BOB').length;
    const sent = await t.slack.command({ user: 'U_BOB', text: 'browse' }, { signature });
    expect(sent.response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.fake.calls.length).toBe(callsBefore);
    expect(t.fake.ephemerals('U_BOB').length).toBe(ephemeralsBefore);
  });

  test('an unknown subcommand gets help with a suggestion, ephemeral', async () => {
    await t.slack.command({ user: 'U_ALICE', text: 'lanch crm-demo' });
    const shown = t.fake.ephemerals('U_ALICE').at(-1);
    expect(shown?.text).toContain("I don't know `/demo lanch`");
    expect(shown?.text).toContain('Did you mean `/demo launch`?');
  });

  test('odd text is escaped, over-long text is refused politely', async () => {
    await t.slack.command({ user: 'U_ALICE', text: '<!channel> *bold* <@U_BOB>' });
    expect(t.fake.ephemerals('U_ALICE').at(-1)?.text).toContain('&lt;!channel&gt;');
    await t.slack.command({ user: 'U_ALICE', text: `launch ${'x'.repeat(3000)}` });
    expect(t.fake.ephemerals('U_ALICE').at(-1)?.text).toContain('too long');
  });

  test('with the Slack Web API accepting connections but never answering, requests are still acked at once', async () => {
    t.fake.hang = true;
    try {
      const started = Date.now();
      const sent = await t.slack.command({ user: 'U_ALICE', text: 'help' });
      const browse = await t.slack.command({ user: 'U_ALICE', text: 'browse' });
      const elapsed = Date.now() - started;
      expect(sent.response.status).toBe(200);
      expect(browse.response.status).toBe(200);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      t.fake.hang = false;
    }
  });
});
