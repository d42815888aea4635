import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { openViewIds, waitForView } from '../harness/flows.ts';
import { userMessage } from '../harness/slack-requests.ts';
import { commentInModal, image, openDetail, SHARING_ENV, text, viewNow } from './helpers.ts';

describe.each(['postgres', 'pglite'] as const)('threaded comments on catalog images, on %s', (backend) => {
  let t: TestApp;
  let crm: string;
  beforeAll(async () => {
    t = await startTestApp({ backend, env: SHARING_ENV });
    crm = (await t.db.selectFrom('images').select('id').where('gce_name', '=', 'crm-demo').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => t?.close());

  const thread = async (imageId: string) => {
    const row = await eventually(
      () => image(t, imageId),
      (i) => !!i.thread_ts && !i.thread_ts.startsWith('creating:'),
    );
    return { channel: row.thread_channel!, ts: row.thread_ts! };
  };
  const comments = (imageId: string) => t.db.selectFrom('comments').selectAll().where('image_id', '=', imageId).orderBy('created_at').execute();

  const commentFromDetail = (user: string, imageId: string, words: string) => commentInModal(t, user, imageId, words);

  test("a comment from the modal is stored, shown in the detail, and posted once into the image thread in the user's name", async () => {
    const detail = await commentFromDetail('U_ALICE', crm, 'Works great for <retail> prospects');
    // The detail underneath is re-rendered with the comment.
    const refreshed = await viewNow(t, detail.id, (v) => text(v.blocks).includes('Works great'));
    expect(text(refreshed.blocks)).toContain('Comments* (1)');

    const th = await thread(crm);
    expect(th.channel).toBe('C_DEMOS');
    const parent = t.fake.message('C_DEMOS', th.ts)!;
    expect(parent.metadata?.event_type).toBe('demo_vm_image_thread');
    expect(text(parent.blocks)).toContain('Comments on');
    const [c] = await eventually(
      () => comments(crm),
      (rows) => !!rows[0]?.slack_ts,
    );
    const reply = t.fake.message('C_DEMOS', c!.slack_ts!)!;
    expect(reply.thread_ts).toBe(th.ts);
    // Under Alice's name and picture (users.info), marked as posted by the app.
    expect(reply.text).toBe('Works great for &lt;retail&gt; prospects');
    const profile = (await t.fake.workspace.directory.users.get('U_ALICE'))!;
    expect(reply.username).toBe(profile.name);
    expect(reply.icons?.image_48).toMatch(/^https:\/\/.*s=72/);
    expect(text(reply.blocks)).toContain('<@U_ALICE> via demo-vm');
    expect(t.fake.callsTo('chat.postMessage').find((c) => c.args['thread_ts'] === th.ts)?.args).toMatchObject({ username: 'alice' });
    expect(t.fake.thread('C_DEMOS', th.ts).filter((m) => m.text.includes('Works great'))).toHaveLength(1);
  });

  test('a reply typed in the thread becomes a comment (once, despite a retry); edits and deletions in Slack follow', async () => {
    const th = await thread(crm);
    const req = userMessage(t.fake, { user: 'U_BOB', channel: 'C_DEMOS', threadTs: th.ts, text: 'Tried it with *Acme*: the CRM login is slow' });
    await t.slack.send(req);
    await t.slack.send(req, { retryNum: 1, retryReason: 'http_timeout' });
    const rows = await eventually(
      () => comments(crm),
      (r) => r.some((c) => c.author_id === 'U_BOB'),
    );
    const bob = rows.find((c) => c.author_id === 'U_BOB')!;
    expect(rows.filter((c) => c.author_id === 'U_BOB')).toHaveLength(1);
    expect(bob).toMatchObject({ slack_channel: 'C_DEMOS', body: 'Tried it with *Acme*: the CRM login is slow' });

    // Ignored: a top-level message in the channel, and a reply in a thread that is not an image's.
    const top = await t.slack.message({ user: 'U_CAROL', channel: 'C_DEMOS', text: 'hello channel' });
    await t.slack.message({
      user: 'U_CAROL',
      channel: 'C_DEMOS',
      threadTs: (top.request.payload as { event: { ts: string } }).event.ts,
      text: 'not a comment',
    });

    // Ignored: another bot in the thread, and the app's own reply echoed back as an event.
    await t.slack.event({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B_OTHER',
      username: 'ci-bot',
      channel: 'C_DEMOS',
      channel_type: 'channel',
      thread_ts: th.ts,
      ts: '1900000000.000100',
      event_ts: '1900000000.000100',
      text: 'build passed',
    });
    await t.slack.event({
      type: 'message',
      user: 'U_DEMOBOT',
      bot_id: 'B_DEMOBOT',
      channel: 'C_DEMOS',
      channel_type: 'channel',
      thread_ts: th.ts,
      ts: '1900000000.000200',
      event_ts: '1900000000.000200',
      text: '<@U_ALICE> wrote: echo',
    });
    // Events are handled after the ack: once a later real reply is stored, the ones above were seen.
    await t.slack.message({ user: 'U_CAROL', channel: 'C_DEMOS', threadTs: th.ts, text: 'Same here' });
    const all = await eventually(
      () => comments(crm),
      (r) => r.some((c) => c.body === 'Same here'),
    );
    expect(all.map((c) => c.body).join('\n')).not.toMatch(/build passed|echo|not a comment|hello channel/);

    let detail = await openDetail(t, 'U_CAROL', crm);
    expect(text(detail.blocks)).toContain('Tried it with *Acme*');
    expect(text(detail.blocks)).toContain('Comments* (3)');
    expect(text(detail.blocks)).toContain(`/archives/C_DEMOS/p${th.ts.replace('.', '')}`);
    expect(text(detail.blocks)).not.toContain('not a comment');

    await t.slack.messageChanged({ channel: 'C_DEMOS', ts: bob.slack_ts!, text: 'Tried it with *Acme*: fast after a restart' });
    await eventually(
      () => comments(crm),
      (r) => r.some((c) => c.body.includes('fast after a restart') && c.edited_at !== null),
    );
    detail = await openDetail(t, 'U_CAROL', crm);
    expect(text(detail.blocks)).toContain('fast after a restart');
    expect(text(detail.blocks)).toContain('_edited_');

    await t.slack.messageDeleted({ channel: 'C_DEMOS', ts: bob.slack_ts! });
    await eventually(
      () => comments(crm),
      (r) => r.find((c) => c.id === bob.id)?.deleted_at !== null,
    );
    detail = await openDetail(t, 'U_CAROL', crm);
    expect(text(detail.blocks)).not.toContain('fast after a restart');
    expect(text(detail.blocks)).toContain('Comments* (2)');
    expect((await image(t, crm)).comment_count).toBe(2);
  });

  test('two first comments at once create one thread; "show more" lists beyond the latest three', async () => {
    const analytics = (await t.db.selectFrom('images').select('id').where('gce_name', '=', 'analytics-dashboard').executeTakeFirstOrThrow()).id;
    await Promise.all(['U_ALICE', 'U_BOB', 'U_CAROL', 'U_DAVE'].map((u, i) => commentFromDetail(u, analytics, `Comment number ${i + 1}`)));
    const th = await thread(analytics);
    await eventually(
      () => comments(analytics),
      (r) => r.length === 4 && r.every((c) => c.slack_ts),
    );
    const parents = t.fake
      .history('C_DEMOS')
      .filter((m) => m.metadata?.event_type === 'demo_vm_image_thread' && text(m.blocks).includes('analytics-dashboard'));
    expect(parents.map((p) => p.ts)).toEqual([th.ts]);
    expect(t.fake.thread('C_DEMOS', th.ts).filter((m) => m.text.startsWith('Comment number') && m.username)).toHaveLength(4);

    const detail = await openDetail(t, 'U_ERIN', analytics);
    expect(text(detail.blocks).match(/Comment number/g)).toHaveLength(3);
    const before = openViewIds(t, 'U_ERIN');
    await t.slack.action({ user: 'U_ERIN', on: { viewId: detail.id }, actionId: 'comments.show_more', choice: analytics });
    const list = await waitForView(t, 'U_ERIN', 'comments.list', before);
    expect(text(list.blocks).match(/Comment number/g)).toHaveLength(4);
  });

  test('an image an admin publishes gets its thread in the catalog channel at once', async () => {
    await t.slack.command({ user: 'U_ADMIN', text: 'admin publish base-debian-12' });
    const id = await eventually(
      async () => (await t.db.selectFrom('images').select('id').where('gce_name', '=', 'base-debian-12').executeTakeFirst())?.id,
      Boolean,
    );
    const th = await thread(id!);
    expect(text(t.fake.message(th.channel, th.ts)!.blocks)).toContain('base-debian-12');
  });

  test('the catalog sorts by most commented and most launched', async () => {
    const browseWith = async (sort: string) => {
      const before = openViewIds(t, 'U_ERIN');
      await t.slack.command({ user: 'U_ERIN', text: 'browse' });
      const modal = await waitForView(t, 'U_ERIN', 'catalog.browse', before);
      await t.slack.action({ user: 'U_ERIN', on: { viewId: modal.id }, actionId: 'catalog.sort', choice: sort });
      return viewNow(t, modal.id, (v) => (v.private_metadata ?? '').includes(`"s":"${sort}"`));
    };
    // Each entry shows its image's display name, the one text no other entry contains.
    const names = Object.fromEntries(
      (await t.db.selectFrom('images').select(['gce_name', 'display_name']).execute()).map((i) => [i.gce_name, `\`${i.display_name}\``]),
    );
    const commented = text((await browseWith('commented')).blocks);
    expect(commented.indexOf(names['analytics-dashboard']!)).toBeGreaterThan(-1);
    expect(commented.indexOf(names['analytics-dashboard']!)).toBeLessThan(commented.indexOf(names['crm-demo']!));
    expect(commented.indexOf(names['crm-demo']!)).toBeLessThan(commented.indexOf(names['retail-storefront']!));

    const retail = (await t.db.selectFrom('images').select('id').where('gce_name', '=', 'retail-storefront').executeTakeFirstOrThrow()).id;
    await t.db
      .insertInto('demos')
      .values({
        id: crypto.randomUUID(),
        owner_id: 'U_ERIN',
        image_id: retail,
        instance_name: 'demo-sorttest',
        zone: 'us-central1-a',
        machine_type: 'e2-medium',
        state: 'deleted',
        failure_reason: null,
        failure_kind: null,
        external_ip: null,
        internal_ip: null,
        app_ready: null,
        dm_channel: null,
        dm_ts: null,
        expires_at: new Date(),
        nudged_at: null,
        created_at: new Date(),
        updated_at: new Date(),
        expired_at: null,
        retention_warned_at: null,
        kept_at: null,
      })
      .execute();
    expect((await image(t, retail)).launch_count).toBe(1);
    const launched = text((await browseWith('launched')).blocks);
    expect(launched.indexOf(names['retail-storefront']!)).toBeGreaterThan(-1);
    expect(launched.indexOf(names['retail-storefront']!)).toBeLessThan(launched.indexOf(names['crm-demo']!));
  });
});
