import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { appProcessEnv, ChildExited, startAppProcess, type AppProcess } from '../harness/app-process.ts';
import { DIGEST_SYNC_TASK, digestTaskName } from '../../src/accounting/digest-tasks.ts';
import { ask, insertDemo, insertImage } from './fixtures.ts';

/**
 * Exactly one digest per subscription and period with real OS processes on one database: two
 * replicas ticking at the same time, and a replica killed (SIGKILL) in the middle of sending.
 * Each test has its own subscription firing on its own day at 09:00 Europe/Paris (08:00Z), so that the
 * start-up pass of one test's processes never posts another test's digest.
 */

// Each test boots app processes (a few seconds each, more on a loaded CI machine).
describe('one digest per period across app processes', { timeout: 120_000 }, () => {
  const clock = new ManualClock('2026-03-04T12:00:00Z');
  let t: TestApp;
  const children: AppProcess[] = [];

  const start = async (clockAt: string, crashAt?: string) => {
    const p = await startAppProcess({ env: appProcessEnv(t), clock: clockAt, crashAt });
    children.push(p);
    return p;
  };
  const subscriptionId = async (channel: string) =>
    (await t.db.selectFrom('digest_subscriptions').select('id').where('channel_id', '=', channel).executeTakeFirstOrThrow()).id;
  const digests = (channel: string) => t.fake.history(channel).filter((m) => m.metadata?.event_type === 'demo_vm_digest');
  const post = async (channel: string) =>
    t.db
      .selectFrom('digest_posts')
      .selectAll()
      .where('subscription_id', '=', await subscriptionId(channel))
      .executeTakeFirst();

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ORG_TIME_ZONE: 'Europe/Paris' } });
    const image = await insertImage(t);
    await insertDemo(t, { owner: 'U_ALICE', imageId: image, intervals: [['2026-03-02T08:00:00Z', '2026-03-02T18:00:00Z']] });
    for (const [channel, day] of [
      ['<#C_DEMOS|demo-vm>', 'mon'],
      ['<#C_GENERAL|general>', 'tue'],
      ['<#C_APPROVALS|demo-approvals>', 'wed'],
    ]) {
      expect((await ask(t, 'U_ADMIN', `digest subscribe ${channel} weekly ${day} 09:00`)).text).toContain('Subscribed');
    }
  });
  // Replicas are killed rather than stopped: their shutdown is not what these tests are about.
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await t?.close();
  });

  test('two processes, one clock tick: one message', async () => {
    const [a, b] = await Promise.all([start('2026-03-09T07:30:00Z'), start('2026-03-09T07:30:00Z')]);
    const name = digestTaskName(await subscriptionId('C_DEMOS'));
    await Promise.all([a.tick(name, '2026-03-09T08:00:00Z'), b.tick(name, '2026-03-09T08:00:00Z')]);
    expect(digests('C_DEMOS')).toHaveLength(1);
    expect(await post('C_DEMOS')).toMatchObject({ state: 'sent', message_ts: digests('C_DEMOS')[0]!.ts, attempts: 1 });
    await Promise.all([a.kill(), b.kill()]);
  });

  test('killed after claiming, before posting: the next process takes over once the claim expires, and posts once', async () => {
    const doomed = await start('2026-03-10T07:30:00Z', 'digest.claimed');
    await expect(doomed.tick(digestTaskName(await subscriptionId('C_GENERAL')), '2026-03-10T08:00:00Z')).rejects.toThrow(ChildExited);
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await post('C_GENERAL')).toMatchObject({ state: 'sending', message_ts: null });
    expect(digests('C_GENERAL')).toHaveLength(0);

    // Restarted a minute later: the claim is still held (it could be a live replica), so nothing yet …
    const next = await start('2026-03-10T08:01:00Z');
    // … until it has expired (10 minutes): then the channel's history is checked and the digest posted.
    await next.tick(DIGEST_SYNC_TASK, '2026-03-10T08:11:00Z');
    await eventually(
      () => post('C_GENERAL'),
      (row) => row?.state === 'sent',
    );
    expect(digests('C_GENERAL')).toHaveLength(1);
    expect(t.fake.callsTo('conversations.history').some((c) => c.args['channel'] === 'C_GENERAL')).toBe(true);
    await next.kill();
  });

  test('killed after posting, before recording it: found by its metadata on restart, not posted again', async () => {
    const doomed = await start('2026-03-11T07:30:00Z', 'digest.posted');
    await expect(doomed.tick(digestTaskName(await subscriptionId('C_APPROVALS')), '2026-03-11T08:00:00Z')).rejects.toThrow(ChildExited);
    expect(digests('C_APPROVALS')).toHaveLength(1);
    expect(await post('C_APPROVALS')).toMatchObject({ state: 'sending', message_ts: null });

    // The replacement starts after the claim expired: its start-up pass finishes the job.
    const next = await start('2026-03-11T08:11:00Z');
    const row = await eventually(
      () => post('C_APPROVALS'),
      (r) => r?.state === 'sent',
    );
    expect(row!.message_ts).toBe(digests('C_APPROVALS')[0]!.ts);
    expect(digests('C_APPROVALS')).toHaveLength(1);
    await next.kill();
  });
});
