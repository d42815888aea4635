import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';

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

  test('an admin sees the admin commands in help (behind its Admin button: `help admin`)', async () => {
    await t.slack.command({ user: 'U_ADMIN', text: 'help admin' });
    expect(t.fake.ephemerals('U_ADMIN').at(-1)?.text).toContain('/demo admin publish');
  });

  test.each([
    ['unsigned', 'none'],
    ['wrongly signed', 'wrong'],
    ['stale (over 5 minutes old)', 'stale'],
  ] as const)('a %s request is refused with 401 and nothing is done', async (_name, signature) => {
    const mark = t.fake.mark();
    const ephemeralsBefore = t.fake.ephemerals('U_BOB').length;
    const sent = await t.slack.command({ user: 'U_BOB', text: 'browse' }, { signature });
    expect(sent.response.status).toBe(401);
    // The receiver refuses before any listener runs, so the 401 is the end of it. To show nothing ran
    // in the background either, a signed /demo browse follows: its modal is the only call Slack sees.
    const signed = await t.slack.command({ user: 'U_BOB', text: 'browse' });
    expect(signed.response.status).toBe(200);
    await t.fake.waitFor('views.open', (c) => c.args['trigger_id'] === signed.request.triggerId, { after: mark, timeoutMs: 15_000 });
    expect(
      t.fake.calls
        .slice(mark)
        .filter((c) => c.method === 'views.open')
        .map((c) => c.args['trigger_id']),
    ).toEqual([signed.request.triggerId]);
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

  test('with the Slack Web API accepting connections but never answering, requests are still acked', async () => {
    // No clock: an ack that waited on the Web API could not come back while Slack answers nothing.
    const held: string[] = [];
    const onHeld = (url: string) => held.push(url);
    t.fake.events.on('request_held', onHeld);
    t.fake.hang = true;
    try {
      const sent = await t.slack.command({ user: 'U_ALICE', text: 'help' });
      expect(sent.response.status).toBe(200);
      expect(JSON.stringify(sent.body)).toContain('/demo browse');
      const browse = await t.slack.command({ user: 'U_ALICE', text: 'browse' });
      expect(browse.response.status).toBe(200);
      // The browse listener did go on to Slack after its ack: its views.open is held, unanswered.
      await eventually(
        () => held,
        (urls) => urls.includes('/api/views.open'),
      );
      expect(t.fake.hang).toBe(true);
      expect(held.filter((url) => url.includes('auth.test'))).toEqual([]);
    } finally {
      t.fake.events.off('request_held', onHeld);
      t.fake.hang = false;
    }
  });
});
