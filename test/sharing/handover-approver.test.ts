import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockActions } from '../harness/slack-requests.ts';
import { click, dmSaying, ephemeralSaying, image, pendingShare, shareRequests, SHARING_ENV, text } from './helpers.ts';

/** An approver must never decide on an image that is theirs, even one handed to them while pending. */
describe('share requests and hand-overs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: SHARING_ENV });
  });
  afterAll(async () => t?.close());

  const asked = (owner: string, title: string) => pendingShare(t, owner, title);

  test('handing a pending image to an approver withdraws its request: said in the thread and to the requester; Approve is refused', async () => {
    const { id, message } = await asked('U_CAROL', 'Carol hand-over');
    // Built now, sent after the hand-over: a client still showing the request's buttons.
    const staleApprove = blockActions(t.fake, { user: 'U_MANAGER', on: { channel: message.channel, messageTs: message.ts }, actionId: 'sharing.approve' });
    const sent = await t.slack.command({ user: 'U_CAROL', text: 'transfer Carol hand-over <@U_MANAGER>' });
    expect(sent.response.status).toBe(200);

    // The hand-over runs after the command's ack.
    const [request] = await eventually(
      () => shareRequests(t, id),
      (rows) => rows[0]?.status !== 'pending',
    );
    expect(request).toMatchObject({ status: 'withdrawn', reason: 'the image was handed over to a colleague', decided_by: null });
    expect(await image(t, id)).toMatchObject({ owner_id: 'U_MANAGER', visibility: 'private' });
    const shown = await eventually(
      () => t.fake.message(message.channel, message.ts),
      (m) => text(m?.blocks).includes('Withdrawn'),
    );
    expect(text(shown!.blocks)).toContain('handed over to a colleague');
    expect(text(shown!.blocks)).not.toContain('sharing.approve');
    expect((await dmSaying(t, 'U_CAROL', 'request to share')).text).toContain('was withdrawn: the image was handed over');

    // The approver, now the owner, cannot approve from the old buttons.
    await t.slack.send(staleApprove);
    expect(await ephemeralSaying(t, 'U_MANAGER', 'an image you own')).toBeTruthy();
    expect((await image(t, id)).visibility).toBe('private');
  });

  test('an approver who owns the image now (handed over before requests were withdrawn) is refused; another approver decides', async () => {
    const { id, message } = await asked('U_DAVE', 'Dave legacy');
    // The state a hand-over left before this rule: a pending request on an image the approver owns.
    await t.db.updateTable('images').set({ owner_id: 'U_MANAGER' }).where('id', '=', id).execute();
    // The first test left U_MANAGER the same refusal: wait for a new one, the answer to this click.
    const seen = t.fake.ephemerals('U_MANAGER').length;
    await click(t, 'U_MANAGER', message, 'sharing.approve');
    expect(await ephemeralSaying(t, 'U_MANAGER', 'an image you own', { after: seen })).toBeTruthy();
    expect((await shareRequests(t, id))[0]!.status).toBe('pending');
    expect((await image(t, id)).visibility).toBe('pending');

    await click(t, 'U_ADMIN', message, 'sharing.approve');
    await eventually(
      async () => (await shareRequests(t, id))[0]!.status,
      (s) => s === 'approved',
    );
    expect((await image(t, id)).visibility).toBe('shared');
  });
});
