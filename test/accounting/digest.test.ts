import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { chartSize, renderHoursChart } from '../../src/accounting/chart.ts';
import { DIGEST_SYNC_TASK, digestTaskName } from '../../src/accounting/digest-tasks.ts';
import { ask, insertDemo, insertImage, task } from './fixtures.ts';

/**
 * Digest subscriptions through `/demo digest`, and digests posted by the real schedule ticks against
 * the fake Slack (Europe/Paris: the week of Mon 2 March is 2026-03-01T23:00Z to 2026-03-08T23:00Z).
 */
describe('usage digests', () => {
  const clock = new ManualClock('2026-03-04T12:00:00Z'); // Wednesday
  let t: TestApp;
  let image: string;

  const subscription = (channel: string) => t.db.selectFrom('digest_subscriptions').selectAll().where('channel_id', '=', channel).executeTakeFirstOrThrow();
  const digests = (channel: string) => t.fake.history(channel).filter((m) => m.metadata?.event_type === 'demo_vm_digest');
  /** The worker's digest sync (every minute) schedules what `/demo digest` changed in the table. */
  const synced = () => task(t, DIGEST_SYNC_TASK).tick(clock.now());
  const fire = async (channel: string, iso: string) => {
    clock.set(iso);
    await task(t, digestTaskName((await subscription(channel)).id)).tick(clock.now());
  };

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ORG_TIME_ZONE: 'Europe/Paris' } });
    image = await insertImage(t, 'CRM demo');
    await insertDemo(t, {
      owner: 'U_ALICE',
      imageId: image,
      intervals: [
        ['2026-02-23T08:00:00Z', '2026-02-23T13:00:00Z'],
        ['2026-03-02T08:00:00Z', '2026-03-02T18:00:00Z'],
      ],
    }); // 5 h, then 10 h
    await insertDemo(t, { owner: 'U_BOB', imageId: image, intervals: [['2026-03-05T09:00:00Z', null]] }); // running since Thu 10:00 CET
  });
  afterAll(async () => t?.close());

  test('subscribe is for admins; digests go to public channels, which the bot joins', async () => {
    expect((await ask(t, 'U_ALICE', 'digest subscribe <#C_DEMOS|demo-vm>')).text).toContain('Only an admin');
    expect((await ask(t, 'U_ADMIN', 'digest subscribe <#G_PRIVATE|secret-deals>')).text).toContain('usage digests go to public channels');
    // A name typed as text is looked up (test/commands/arguments.test.ts); one that names no channel:
    expect((await ask(t, 'U_ADMIN', 'digest subscribe #no-such-channel')).text).toContain('I found no public channel called `#no-such-channel`');
    expect((await ask(t, 'U_ADMIN', 'digest subscribe <#C_RANDOM|random> Mars/Olympus')).text).toContain('not a time zone');

    const done = await ask(t, 'U_ADMIN', 'digest subscribe <#C_RANDOM|random> weekly mon 09:00 Europe/Paris');
    await synced();
    expect(done.text).toContain('Subscribed <#C_RANDOM>: Mondays at 09:00 (Europe/Paris)');
    expect(done.text).toContain('for Mon 2 Mar – Sun 8 Mar 2026');
    expect(t.fake.callsTo('conversations.join').map((c) => c.args['channel'])).toEqual(['C_RANDOM']);
    const sub = await subscription('C_RANDOM');
    expect(sub).toMatchObject({ cadence: 'weekly', cron: '0 9 * * 1', time_zone: 'Europe/Paris', created_by: 'U_ADMIN' });
    expect(task(t, digestTaskName(sub.id))).toMatchObject({ cron: '0 9 * * 1', timezone: 'Europe/Paris' });
    expect((await ask(t, 'U_ADMIN', 'digest list')).all).toContain('<#C_RANDOM> — Mondays at 09:00 (Europe/Paris)');
  });

  test('the weekly digest: one message, chart uploaded without a channel and shown by an image block', async () => {
    // Removed from the channel since: posting joins it again.
    t.fake.workspace.directory.channels.get('C_RANDOM')!.botMember = false;
    await fire('C_RANDOM', '2026-03-09T08:00:00Z'); // Monday 09:00 CET

    const [digest, ...others] = digests('C_RANDOM');
    expect(others).toHaveLength(0);
    const sub = await subscription('C_RANDOM');
    expect(digest!.metadata).toEqual({ event_type: 'demo_vm_digest', event_payload: { subscription: sub.id, period: '2026-03-01T23:00:00.000Z' } });
    const text = JSON.stringify(digest!.blocks);
    expect(text).toContain('Demo VM usage · Mon 2 Mar – Sun 8 Mar 2026');
    expect(text).toContain('<@U_ALICE> — 10.0 h · USD 0.67 · +5.0 h (+100%)'); // 10 × 0.067011
    expect(text).toContain('1. <@U_BOB> — 86.0 h'); // Thu 5 Mar 09:00Z to Sun 8 Mar 23:00Z (3 d 14 h), still running
    expect(text).toContain('Still running now* (1)');
    expect(text).toContain('Top images');

    const image = digest!.blocks!.find((b) => b['type'] === 'image') as { slack_file: { id: string }; alt_text: string };
    const file = t.fake.workspace.files.get(image.slack_file.id)!;
    expect(file).toMatchObject({ completed: true, filename: 'demo-vm-hours-2026-03-02.png' });
    expect(file.channel).toBeUndefined();
    expect(file.uploaded?.bytes).toBeGreaterThan(1000);
    expect(t.fake.callsTo('files.completeUploadExternal').at(-1)!.args['channel_id']).toBeUndefined();

    expect(await t.db.selectFrom('digest_posts').select(['state', 'message_ts', 'late']).executeTakeFirst()).toEqual({
      state: 'sent',
      message_ts: digest!.ts,
      late: false,
    });
    // Ticks again (the same minute, the sync task): nothing more.
    await fire('C_RANDOM', '2026-03-09T08:00:30Z');
    await task(t, DIGEST_SYNC_TASK).tick(clock.now());
    expect(digests('C_RANDOM')).toHaveLength(1);
  });

  test('Slack answers 429: the post is retried after Retry-After, and there is still one message', async () => {
    await ask(t, 'U_ADMIN', 'digest subscribe <#C_DEMOS|demo-vm> daily 09:00');
    await synced();
    const before = t.fake.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C_DEMOS').length;
    t.fake.failNext('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });
    await fire('C_DEMOS', '2026-03-10T08:00:00Z');
    const posts = t.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args['channel'] === 'C_DEMOS')
      .slice(before);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(digests('C_DEMOS')).toHaveLength(1);
    expect(JSON.stringify(digests('C_DEMOS')[0]!.blocks)).toContain('Mon 9 Mar 2026');
  });

  test('a period missed while the app was down is posted at start, marked late', async () => {
    await t.stopApp();
    clock.set('2026-03-12T10:00:00Z'); // the daily digests of 11 and 12 March were due while it was down
    await t.restart();
    const late = await eventually(
      () => digests('C_DEMOS'),
      (list) => list.length === 2,
    );
    expect(JSON.stringify(late[0]!.blocks)).toContain('Posted late');
    expect(JSON.stringify(late[0]!.blocks)).toContain('Wed 11 Mar 2026');
    const row = await eventually(
      () => t.db.selectFrom('digest_posts').select(['late', 'state']).where('period_start', '=', new Date('2026-03-10T23:00:00Z')).executeTakeFirst(),
      (r) => r?.state === 'sent',
    );
    expect(row).toEqual({ late: true, state: 'sent' });
    // The weekly one was posted on time: not again.
    expect(digests('C_RANDOM')).toHaveLength(1);
  });

  test('a large org: the top 20 in the message, everyone in a CSV in its thread', async () => {
    await ask(t, 'U_ADMIN', 'digest subscribe <#C_GENERAL|general>');
    await synced();
    for (let i = 1; i <= 25; i++) {
      await insertDemo(t, {
        owner: `U_SE${String(i).padStart(2, '0')}`,
        imageId: image,
        intervals: [['2026-03-10T08:00:00Z', new Date(Date.parse('2026-03-10T08:00:00Z') + i * 3_600_000).toISOString()]],
      });
    }
    await fire('C_GENERAL', '2026-03-16T08:00:00Z');
    const [digest] = digests('C_GENERAL');
    expect(digest!.blocks!.length).toBeLessThanOrEqual(50);
    const text = JSON.stringify(digest!.blocks);
    expect(text).toContain('1. <@U_BOB> — 168.0 h'); // running all week
    expect(text).toContain('2. <@U_SE25> — 25.0 h');
    expect(text).toContain('20. <@U_SE07>');
    expect(text).not.toContain('<@U_SE06>');
    expect(text).toContain('and 6 more'); // 25 SEs + Bob (still running) = 26 people
    const thread = t.fake.thread('C_GENERAL', digest!.ts);
    const csv = thread.find((m) => m.files?.length);
    expect(csv?.files?.[0]).toMatchObject({ name: 'demo-vm-usage-2026-03-09.csv' });
    expect(t.fake.history('C_GENERAL').filter((m) => m.files?.length)).toHaveLength(0); // not a second top-level message
  });

  test('a channel that is gone: the subscriber is told once, and it is tried again later, not every minute', async () => {
    await ask(t, 'U_ADMIN', 'digest subscribe <#C_APPROVALS|demo-approvals> daily 10:00');
    await synced();
    t.fake.workspace.directory.channels.delete('C_APPROVALS');
    const dmsBefore = t.fake.messages('U_ADMIN').length;
    await expect(fire('C_APPROVALS', '2026-03-17T09:00:00Z')).rejects.toThrow(/can't find <#C_APPROVALS>/);
    await task(t, DIGEST_SYNC_TASK).tick(new Date('2026-03-17T09:01:00Z'));
    const dms = t.fake.messages('U_ADMIN').slice(dmsBefore);
    expect(dms).toHaveLength(1);
    expect(dms[0]!.text).toContain('I could not post the usage digest');
    const row = await t.db
      .selectFrom('digest_posts')
      .select(['state', 'lease_until', 'attempts'])
      .where('subscription_id', '=', (await subscription('C_APPROVALS')).id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'sending', lease_until: new Date('2026-03-17T09:05:00Z'), attempts: 1 });
  });

  test('unsubscribe removes the subscription and its schedule', async () => {
    const sub = await subscription('C_RANDOM');
    expect((await ask(t, 'U_ADMIN', 'digest unsubscribe <#C_RANDOM|random>')).text).toContain('no longer gets the usage digest');
    await synced();
    expect(t.app.scheduler.tasks.some((x) => x.name === digestTaskName(sub.id))).toBe(false);
    expect((await ask(t, 'U_ADMIN', 'digest unsubscribe <#C_RANDOM|random>')).text).toContain('has no usage digest');
    expect((await ask(t, 'U_ADMIN', 'digest list')).all).not.toContain('C_RANDOM');
  });
});

describe('the chart', () => {
  test('is a PNG of the size its layout says, rendered with the shipped font', async () => {
    const bars = [
      { label: 'Alice Adams', value: 40.5 },
      { label: 'Bob <Brown> & co', value: 12 },
      { label: 'Ünïcødé Ωmega', value: 0.25 },
    ];
    const { png, width, height } = await renderHoursChart(bars, 'VM hours per person · Mon 2 Mar – Sun 8 Mar 2026');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual(chartSize(3));
    expect({ width, height }).toEqual(chartSize(3));
  });
});
