import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockActions } from '../harness/slack-requests.ts';
import { openViewIds, waitForView } from '../harness/flows.ts';
import {
  askToShare,
  auditRows,
  click,
  dmSaying,
  ephemeralSaying,
  image,
  openDetail,
  pendingShare,
  privateImage,
  requestMessage,
  shareRequests,
  SHARING_ENV,
  text,
} from './helpers.ts';

describe.each(['postgres', 'pglite'] as const)('share decisions, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ backend, env: SHARING_ENV });
  });
  afterAll(async () => t?.close());

  const asked = (owner: string, title: string) => pendingShare(t, owner, title);

  test('self-approval is refused; two approvers clicking at once make one decision; later clicks are told', async () => {
    const { id, message } = await asked('U_CAROL', 'Carol CRM');
    expect(text(message.blocks)).toContain('Carol CRM');
    expect(text(message.blocks)).toContain('Please share Carol CRM');

    // Built now, sent after the decision: a client still showing the buttons (Slack drops them for everyone else).
    const stale = blockActions(t.fake, { user: 'U_ADMIN', on: { channel: message.channel, messageTs: message.ts }, actionId: 'sharing.approve' });

    // An approver asking for their own image: refused, ephemeral, nothing changes.
    const own = await privateImage(t, 'U_MANAGER', 'Manager image');
    await askToShare(t, 'U_MANAGER', await openDetail(t, 'U_MANAGER', own), own);
    const ownMessage = await requestMessage(t, own);
    // The request has a discussion: its thread has a reply, so the message is a thread parent.
    await t.slack.message({ user: 'U_ADMIN', channel: ownMessage.channel, threadTs: ownMessage.ts, text: 'Which customer is this for?' });
    await click(t, 'U_MANAGER', t.fake.message(ownMessage.channel, ownMessage.ts)!, 'sharing.approve');
    // Where they clicked: the approvals channel itself, not the request's thread.
    const refusal = await ephemeralSaying(t, 'U_MANAGER', 'your own share request');
    expect(refusal).toMatchObject({ channel: 'C_APPROVALS', user: 'U_MANAGER' });
    expect(refusal.thread_ts).toBeUndefined();
    expect((await shareRequests(t, own))[0]!.status).toBe('pending');

    // The manager and an admin press Approve at the same moment, and Slack retries one of them.
    const first = blockActions(t.fake, { user: 'U_MANAGER', on: { channel: message.channel, messageTs: message.ts }, actionId: 'sharing.approve' });
    const second = blockActions(t.fake, { user: 'U_ADMIN', on: { channel: message.channel, messageTs: message.ts }, actionId: 'sharing.approve' });
    await Promise.all([t.slack.send(first), t.slack.send(second), t.slack.send(first, { retryNum: 1 })]);
    const [req] = await eventually(
      () => shareRequests(t, id),
      (rows) => rows[0]?.status === 'approved',
    );
    expect(['U_MANAGER', 'U_ADMIN']).toContain(req!.decided_by);
    expect(await auditRows(t, 'share.approve', req!.id)).toHaveLength(1);
    const loser = req!.decided_by === 'U_MANAGER' ? 'U_ADMIN' : 'U_MANAGER';
    expect((await ephemeralSaying(t, loser, 'already closed')).text).toContain(`Approved* by <@${req!.decided_by}>`);
    expect((await image(t, id)).visibility).toBe('shared');

    // The message shows who decided, without buttons; the requester is told once.
    const updated = await eventually(
      () => t.fake.message(message.channel, message.ts),
      (m) => text(m?.blocks).includes('Approved'),
    );
    expect(text(updated!.blocks)).not.toContain('sharing.approve');
    expect(text(updated!.blocks)).toContain(`<@${req!.decided_by}>`);
    await dmSaying(t, 'U_CAROL', 'approved sharing');
    expect(t.fake.messages('U_CAROL').filter((m) => text(m.blocks).includes('approved sharing'))).toHaveLength(1);

    // A click on the old message afterwards is told what happened.
    const before = t.fake.ephemerals('U_ADMIN').length;
    await t.slack.send(stale);
    const told = await eventually(
      () => t.fake.ephemerals('U_ADMIN').slice(before),
      (e) => e.length > 0,
    );
    expect(told[0]!.text).toContain('already closed');
  });

  test('deny asks for a reason in a modal; the requester gets it in a DM; the image stays private', async () => {
    const { id, message } = await asked('U_ERIN', 'Erin analytics');
    const staleApprove = blockActions(t.fake, { user: 'U_ADMIN', on: { channel: message.channel, messageTs: message.ts }, actionId: 'sharing.approve' });
    // A non-approver cannot even open the Deny modal.
    await click(t, 'U_BOB', message, 'sharing.deny');
    expect((await ephemeralSaying(t, 'U_BOB', 'Only an approver')).text).toBeTruthy();

    const before = openViewIds(t, 'U_MANAGER');
    await click(t, 'U_MANAGER', message, 'sharing.deny');
    const modal = await waitForView(t, 'U_MANAGER', 'sharing.deny_view', before);
    const empty = await t.slack.submit({ user: 'U_MANAGER', viewId: modal.id, values: { 'sharing.reason': '   ' } });
    expect(empty.outcome).toMatchObject({ outcome: 'errors' });
    const sent = await t.slack.submit({ user: 'U_MANAGER', viewId: modal.id, values: { 'sharing.reason': 'It still has the <customer> logo' } });
    expect(sent.outcome).toMatchObject({ outcome: 'closed' });

    const [req] = await shareRequests(t, id);
    expect(req).toMatchObject({ status: 'denied', decided_by: 'U_MANAGER', reason: 'It still has the <customer> logo' });
    expect((await image(t, id)).visibility).toBe('private');
    const dm = await dmSaying(t, 'U_ERIN', 'did not approve');
    expect(dm.text).toContain('It still has the &lt;customer&gt; logo');
    expect(dm.text).toContain('/archives/C_APPROVALS/p');
    const updated = await eventually(
      () => t.fake.message(message.channel, message.ts),
      (m) => text(m?.blocks).includes('Denied'),
    );
    expect(text(updated!.blocks)).not.toContain('sharing.deny');
    expect(await auditRows(t, 'share.deny', req!.id)).toHaveLength(1);

    // Approve after the denial: told, nothing changes.
    await t.slack.send(staleApprove);
    expect((await ephemeralSaying(t, 'U_ADMIN', 'Denied')).text).toContain('already closed');
    expect((await image(t, id)).visibility).toBe('private');
  });

  test('the owner withdraws a pending request; an approver clicking afterwards is told it was withdrawn', async () => {
    const { id, message } = await asked('U_FRANK', 'Frank storefront');
    const staleApprove = blockActions(t.fake, { user: 'U_MANAGER', on: { channel: message.channel, messageTs: message.ts }, actionId: 'sharing.approve' });
    await t.slack.command({ user: 'U_FRANK', text: 'unshare Frank storefront' });
    expect((await ephemeralSaying(t, 'U_FRANK', 'Withdrew')).text).toContain('Frank storefront');
    expect((await image(t, id)).visibility).toBe('private');
    await eventually(
      () => t.fake.message(message.channel, message.ts),
      (m) => text(m?.blocks).includes('Withdrawn'),
    );
    await t.slack.send(staleApprove);
    expect((await ephemeralSaying(t, 'U_MANAGER', 'Withdrawn')).text).toContain('already closed');
    expect((await shareRequests(t, id))[0]!.status).toBe('withdrawn');
  });

  test('requests older than SHARE_REQUEST_EXPIRY_DAYS expire once across replicas; the requester is told', async () => {
    const { id, message } = await asked('U_GRACE', 'Grace dev box');
    const task = t.app.scheduler.tasks.find((x) => x.name === 'share-request-expiry')!;
    const later = new Date(Date.now() + 15 * 24 * 3600_000);
    await Promise.all([task.tick(later), task.tick(later)]);
    expect((await shareRequests(t, id))[0]!.status).toBe('expired');
    expect(await auditRows(t, 'share.expire', (await shareRequests(t, id))[0]!.id)).toHaveLength(1);
    expect((await image(t, id)).visibility).toBe('private');
    await dmSaying(t, 'U_GRACE', 'expired');
    await eventually(
      () => t.fake.message(message.channel, message.ts),
      (m) => text(m?.blocks).includes('Expired'),
    );
  });

  test('owner or admin unshares; others are refused', async () => {
    const { id, message } = await asked('U_HEIDI', 'Heidi CRM');
    await click(t, 'U_MANAGER', message, 'sharing.approve');
    await eventually(
      () => image(t, id),
      (i) => i.visibility === 'shared',
    );
    await t.slack.command({ user: 'U_BOB', text: 'unshare Heidi CRM' });
    expect((await ephemeralSaying(t, 'U_BOB', 'owner or an admin')).text).toBeTruthy();
    expect((await image(t, id)).visibility).toBe('shared');
    const detail = await openDetail(t, 'U_ADMIN', id);
    expect(text(detail.blocks)).toContain('sharing.unshare');
    await t.slack.action({ user: 'U_ADMIN', on: { viewId: detail.id }, actionId: 'sharing.unshare', choice: id });
    await eventually(
      () => image(t, id),
      (i) => i.visibility === 'private',
    );
    await dmSaying(t, 'U_HEIDI', 'unshared your image');
    expect(await auditRows(t, 'share.unshare', id)).toHaveLength(1);
  });

  test("`/demo share <image>` opens the request for your own image; others' images are not found", async () => {
    const id = await privateImage(t, 'U_DAVE', 'Dave ERP sandbox');
    await t.slack.command({ user: 'U_BOB', text: 'share Dave ERP sandbox' });
    // Answered where Bob typed it (never an error modal): what was understood, and a way to his own.
    const refusal = await ephemeralSaying(t, 'U_BOB', 'I understood saved image `Dave ERP sandbox`');
    expect(JSON.stringify(refusal.blocks)).toContain('"value":"images"');
    expect(t.fake.views('U_BOB').some((v) => text(v.blocks).includes('Dave ERP sandbox'))).toBe(false);
    const before = openViewIds(t, 'U_DAVE');
    await t.slack.command({ user: 'U_DAVE', text: 'share dave erp sandbox' });
    const modal = await waitForView(t, 'U_DAVE', 'sharing.request_view', before);
    const sent = await t.slack.submit({ user: 'U_DAVE', viewId: modal.id, values: {} });
    expect(sent.outcome).toMatchObject({ outcome: 'updated' });
    const message = await requestMessage(t, id);
    expect(text(message.blocks)).toContain('Dave ERP sandbox');
    expect((await shareRequests(t, id))[0]).toMatchObject({ requester_id: 'U_DAVE', note: '', status: 'pending' });
    // Asking again while it is pending: told where it stands.
    await t.slack.command({ user: 'U_DAVE', text: 'share dave erp sandbox' });
    await eventually(
      () => t.fake.views('U_DAVE').at(-1),
      (v) => text(v?.blocks).includes('already waiting for an approver'),
    );
  });

  test('admins manage approvers: the first change replaces the configured group, which stops applying', async () => {
    await t.slack.command({ user: 'U_BOB', text: 'admin approvers add <@U_BOB|bob>' });
    expect((await ephemeralSaying(t, 'U_BOB', 'Only an admin')).text).toBeTruthy();
    await t.slack.command({ user: 'U_ADMIN', text: 'admin approvers list' });
    expect((await ephemeralSaying(t, 'U_ADMIN', 'Approvers:')).text).toContain('<@U_MANAGER>');

    await t.slack.command({ user: 'U_ADMIN', text: 'admin approvers add <@U_CAROL|carol>' });
    expect((await ephemeralSaying(t, 'U_ADMIN', 'can now approve')).text).toContain('started from the configured approvers');
    await t.slack.command({ user: 'U_ADMIN', text: 'admin approvers remove <@U_MANAGER>' });
    await ephemeralSaying(t, 'U_ADMIN', 'no longer approves');
    expect((await t.app.ctx.actor('U_MANAGER')).isApprover).toBe(false);
    expect((await t.app.ctx.actor('U_CAROL')).isApprover).toBe(true);
    expect(await auditRows(t, 'approvers.add', 'U_CAROL')).toHaveLength(1);
  });
});
