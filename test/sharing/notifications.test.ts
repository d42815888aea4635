import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { askToShare, commentInModal, dmSaying, image, openDetail, privateImage, requestMessage, SHARING_ENV, text } from './helpers.ts';

/**
 * The owner of an image hears about comments on it: one DM per batch window, unless they muted it.
 * The window is an hour, so a slow machine cannot split a batch; the test makes the waiting job due.
 */
describe.each(['postgres', 'pglite'] as const)('comment DMs to the owner, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ backend, env: { ...SHARING_ENV, COMMENT_DM_BATCH_SECONDS: '3600' } });
  });
  afterAll(async () => t?.close());

  const commentDms = (user: string) => t.fake.messages(user).filter((m) => m.metadata?.event_type === 'demo_vm_comment_dm');
  const comments = (imageId: string) => t.db.selectFrom('comments').selectAll().where('image_id', '=', imageId).orderBy('created_at').execute();
  const jobsWaiting = async (name: string) =>
    Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = ${name} AND state IN ('created', 'retry', 'active')`.execute(t.db)).rows[0]!
        .n,
    );
  /**
   * Once `count` comments of the image are stored, the batch window ends now: every comment has been
   * dealt with (told, or needed no telling), and no DM job waits or runs.
   */
  async function settled(imageId: string, count: number) {
    await eventually(
      () => comments(imageId),
      (rows) => rows.length === count,
      20_000,
    );
    await eventually(
      async () => {
        await sql`UPDATE pgboss.job SET start_after = now() WHERE name = 'comment-owner-dm' AND state = 'created'`.execute(t.db);
        const rows = await comments(imageId);
        return rows.every((c) => c.owner_notified_at !== null) && (await jobsWaiting('comment-owner-dm')) === 0;
      },
      Boolean,
      20_000,
    );
  }

  async function sharedImage(owner: string, title: string) {
    const id = await privateImage(t, owner, title);
    await t.db.updateTable('images').set({ visibility: 'shared' }).where('id', '=', id).execute();
    return id;
  }

  test('two comments within the batch window make one DM to the owner, linking the thread; her own comment makes none', async () => {
    const id = await sharedImage('U_ALICE', 'Alice CRM');
    await commentInModal(t, 'U_BOB', id, 'Great for retail');
    // The second one is typed in the image's thread in Slack, once the first has created it.
    const thread = await eventually(
      () => image(t, id),
      (i) => !!i.thread_ts && !i.thread_ts.startsWith('creating:'),
    );
    await t.slack.message({ user: 'U_MANAGER', channel: thread.thread_channel!, threadTs: thread.thread_ts!, text: 'Can it do SSO?' });

    await settled(id, 2);
    const dm = commentDms('U_ALICE');
    expect(dm).toHaveLength(1);
    const body = text(dm[0]!.blocks);
    expect(dm[0]!.text).toContain('2 new comments on your image Alice CRM');
    expect(body).toContain('Great for retail');
    expect(body).toContain('Can it do SSO?');
    expect(body).toContain(`/archives/${thread.thread_channel}/p`);
    expect(body).toContain('mute');

    // Alice answering on her own image: nothing to tell her.
    await commentInModal(t, 'U_ALICE', id, 'Yes, SAML works');
    await settled(id, 3);
    expect(commentDms('U_ALICE')).toHaveLength(1);
  });

  test('muted from the Home tab: comments reach no DM; unmuted: they do again', async () => {
    const id = await sharedImage('U_CAROL', 'Carol ERP');
    await t.slack.homeOpened({ user: 'U_CAROL' });
    const home = await eventually(
      () => t.fake.home('U_CAROL'),
      (h) => !!h && text(h.blocks).includes('home.comment_dms'),
    );
    await t.slack.action({ user: 'U_CAROL', on: { viewId: home!.id }, actionId: 'home.comment_dms', choice: 'mute' });
    // The Home, re-rendered, is the answer: it says they are muted and offers Unmute.
    const muted = await eventually(
      () => t.fake.home('U_CAROL'),
      (h) => !!h && text(h.blocks).includes('*muted*'),
    );
    expect(text(muted!.blocks)).toContain('"value":"unmute"');

    await commentInModal(t, 'U_BOB', id, 'Nice ERP');
    await settled(id, 1);
    expect(commentDms('U_CAROL')).toHaveLength(0);

    await t.slack.action({ user: 'U_CAROL', on: { viewId: muted!.id }, actionId: 'home.comment_dms', choice: 'unmute' });
    await eventually(
      () => t.fake.home('U_CAROL'),
      (h) => !!h && text(h.blocks).includes('"value":"mute"'),
    );
    await commentInModal(t, 'U_BOB', id, 'Still nice');
    await settled(id, 2);
    expect(commentDms('U_CAROL')).toHaveLength(1);
    expect(text(commentDms('U_CAROL')[0]!.blocks)).toContain('Still nice');
    expect(text(commentDms('U_CAROL')[0]!.blocks)).not.toContain('Nice ERP');
  });

  test("a reply in a share request's thread by someone else reaches the requester in a DM, linking it; the requester's own do not", async () => {
    const id = await privateImage(t, 'U_BOB', 'Bob Analytics');
    await askToShare(t, 'U_BOB', await openDetail(t, 'U_BOB', id), id);
    const request = await requestMessage(t, id);
    const dms = () => t.fake.messages('U_BOB').filter((m) => m.metadata?.event_type === 'demo_vm_share_thread_reply');

    await t.slack.message({ user: 'U_BOB', channel: request.channel, threadTs: request.ts, text: 'Ping: any news?' });
    await t.slack.message({ user: 'U_MANAGER', channel: request.channel, threadTs: request.ts, text: 'Which *customer* is this for?' });
    const dm = await dmSaying(t, 'U_BOB', 'Which *customer*');
    expect(dm.text).toContain('<@U_MANAGER> wrote in the thread of your request to share *Bob Analytics*');
    expect(dm.text).toContain(`/archives/${request.channel}/p`);
    expect(dm.text).toContain(`thread_ts=${request.ts}`);
    // Every reply DM job has run (Bob's own reply must have made none): one DM, for the manager's reply.
    await eventually(
      () => jobsWaiting('share-thread-reply-dm'),
      (n) => n === 0,
      20_000,
    );
    expect(dms()).toHaveLength(1);
    const managerReply = t.fake.thread(request.channel, request.ts).find((m) => m.user === 'U_MANAGER');
    const jobs = await sql<{ data: { requestId: string; ts: string } }>`SELECT data FROM pgboss.job WHERE name = 'share-thread-reply-dm'`.execute(t.db);
    expect(jobs.rows.filter((j) => j.data.requestId === request.requestId).map((j) => j.data.ts)).toEqual([managerReply!.ts]);
  });
});
