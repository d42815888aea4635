import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { DIGEST_SYNC_TASK, digestTaskName } from '../../src/accounting/digest-tasks.ts';
import type { JsonObject, StoredMessage } from '../../sim/slack/index.ts';
import { ask, insertDemo, insertImage, task } from './fixtures.ts';

/**
 * `/demo digest preview`, and what a digest reports when there is little to report: a new
 * subscription's first digest covers the last week that had usage; an empty week is one line.
 * Europe/Paris; the only usage is on Mon 2 March (the week 2026-03-01T23:00Z – 2026-03-08T23:00Z).
 */
describe('digest preview and empty periods', () => {
  const clock = new ManualClock('2026-03-18T12:00:00Z'); // Wednesday, two weeks after the usage
  let t: TestApp;

  const subscription = (channel: string) => t.db.selectFrom('digest_subscriptions').selectAll().where('channel_id', '=', channel).executeTakeFirstOrThrow();
  const digests = (channel: string) => t.fake.history(channel).filter((m) => m.metadata?.event_type === 'demo_vm_digest');
  const fire = async (channel: string, iso: string) => {
    clock.set(iso);
    await task(t, digestTaskName((await subscription(channel)).id)).tick(clock.now());
  };
  const dm = (user: string) => t.fake.history(t.fake.workspace.directory.openIm(user).channel.id);
  const imageBlock = (m: StoredMessage) => m.blocks?.find((b) => b['type'] === 'image') as { slack_file: { id: string } } | undefined;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ORG_TIME_ZONE: 'Europe/Paris' } });
    const image = await insertImage(t, 'CRM demo');
    await insertDemo(t, { owner: 'U_ALICE', imageId: image, intervals: [['2026-03-02T08:00:00Z', '2026-03-02T18:00:00Z']] });
  });
  afterAll(async () => t?.close());

  test('only admins may preview; others are told so', async () => {
    const refused = await ask(t, 'U_ALICE', 'digest preview <#C_RANDOM|random>');
    expect(refused.text).toContain('Only an admin');
    expect(dm('U_ALICE').filter((m) => m.text.startsWith('Preview'))).toHaveLength(0);
  });

  test('/demo digest preview: the digest, chart included, in the admin’s DM and nowhere else', async () => {
    const mark = t.fake.mark();
    const answer = await ask(t, 'U_ADMIN', 'digest preview <#C_RANDOM|random>');
    expect(answer.text).toContain('The preview is in your DM');
    expect(answer.text).toContain('<#C_RANDOM> has no digest yet');
    const preview = await eventually(
      () => dm('U_ADMIN').find((m) => m.text.startsWith('Preview')),
      (m) => m !== undefined,
    );
    const text = JSON.stringify(preview!.blocks);
    expect(text).toContain('*Preview* of the digest <#C_RANDOM> would get now');
    // Not subscribed: what a new weekly subscription would post first — the last week with usage.
    expect(text).toContain('Demo VM usage · Mon 2 Mar – Sun 8 Mar 2026');
    expect(text).toContain('<@U_ALICE> — 10.0 h');
    const file = t.fake.workspace.files.get(imageBlock(preview!)!.slack_file.id)!;
    expect(file).toMatchObject({ completed: true, filename: 'demo-vm-hours-2026-03-02.png' });
    expect(file.uploaded?.bytes).toBeGreaterThan(1000);
    // A preview is no digest: no digest metadata, nothing in the channel, no digest recorded.
    expect(preview!.metadata).toBeUndefined();
    expect(t.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args['channel'] !== 'U_ADMIN')).toHaveLength(0);
    expect(await t.db.selectFrom('digest_posts').selectAll().execute()).toEqual([]);
  });

  test('a new subscription’s first digest covers the last week with usage, not the empty week before it', async () => {
    await ask(t, 'U_ADMIN', 'digest subscribe <#C_RANDOM|random> weekly mon 09:00 Europe/Paris');
    await task(t, DIGEST_SYNC_TASK).tick(clock.now());
    await fire('C_RANDOM', '2026-03-23T08:00:00Z'); // Mon 23 Mar 09:00 CET: due for 16–22 Mar, which had no usage
    const [first, ...others] = digests('C_RANDOM');
    expect(others).toHaveLength(0);
    const text = JSON.stringify(first!.blocks);
    expect(text).toContain('Demo VM usage · Mon 2 Mar – Sun 8 Mar 2026');
    expect(text).toContain('<@U_ALICE> — 10.0 h');
    expect(imageBlock(first!)).toBeDefined();
    // It stands for the firing it answers: found again by that period if it has to be resumed.
    expect(first!.metadata!.event_payload).toMatchObject({ period: '2026-03-15T23:00:00.000Z' });
  });

  test('a week with no usage is one line: no chart, no table of zeros', async () => {
    const mark = t.fake.mark();
    await fire('C_RANDOM', '2026-03-30T07:00:00Z'); // Mon 30 Mar 09:00 CEST: 23–29 Mar, nothing ran
    const latest = digests('C_RANDOM').find((m) => m.metadata?.event_payload['period'] === '2026-03-22T23:00:00.000Z')!;
    expect(latest.blocks).toHaveLength(1);
    expect(JSON.stringify(latest.blocks)).toContain('Demo VM usage · Mon 23 Mar – Sun 29 Mar 2026*: no demo VM ran that week.');
    expect(t.fake.calls.slice(mark).filter((c) => c.method.startsWith('files.'))).toHaveLength(0);

    // The preview of a subscribed channel shows what it would get now: the same line.
    await ask(t, 'U_ADMIN', 'digest preview <#C_RANDOM|random>');
    const preview = await eventually(
      () => dm('U_ADMIN').filter((m) => m.text.startsWith('Preview')),
      (list) => list.length === 2,
    );
    const blocks = preview.find((m) => m.text.includes('no demo VM ran'))!.blocks as JsonObject[];
    expect(JSON.stringify(blocks[0])).toContain('Mondays at 09:00 (Europe/Paris)');
    expect(JSON.stringify(blocks.slice(1))).toContain('no demo VM ran that week');
  });
});
