import { App, type ReceiverEvent } from '@slack/bolt';
import { describe, expect, test } from 'vitest';
import { AfterAckSlots, prioritizeAcks } from '../../src/platform/ack-priority.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('AfterAckSlots', () => {
  test('at most `limit` run at once; the rest start in order as slots are given back', async () => {
    const slots = new AfterAckSlots(2, 60_000);
    const started: number[] = [];
    const releases: Array<() => void> = [];
    for (let i = 0; i < 5; i++) void slots.enter().then((release) => (started.push(i), releases.push(release)));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(slots.running).toBe(2);
    expect(slots.waiting).toBe(3);

    releases[0]!();
    releases[0]!(); // giving a slot back twice frees it once
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(slots.running).toBe(2);

    releases[1]!();
    releases[2]!();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    for (const r of releases) r();
    expect(slots.running).toBe(0);
    expect(slots.waiting).toBe(0);
  });

  test('a caller that has waited maxWaitMs runs beside the others, over the limit', async () => {
    const slots = new AfterAckSlots(1, 30);
    const first = await slots.enter(); // held, never given back in time
    const t0 = performance.now();
    const second = await slots.enter();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(slots.running).toBe(2);
    first();
    second();
    expect(slots.running).toBe(0);
  });
});

describe('prioritizeAcks on a real Bolt app', () => {
  function boltApp() {
    // botId and botUserId given: Bolt never calls auth.test (nothing here answers it).
    return new App({ token: 'xoxb-test', signingSecret: 'secret', botId: 'B_APP', botUserId: 'U_APP', tokenVerificationEnabled: false, logLevel: 'error' as never });
  }
  const commandEvent = (acks: string[], user: string): ReceiverEvent => ({
    body: { command: '/demo', text: 'x', user_id: user, channel_id: 'C1', team_id: 'T1', trigger_id: `trig-${user}`, response_url: 'http://127.0.0.1:9/r' },
    ack: async () => void acks.push(`ack ${user}`),
  });

  test('every request is acked at once; work after the ack waits for a slot, which is given back when the listener ends', async () => {
    const bolt = boltApp();
    const slots = new AfterAckSlots(1, 60_000);
    prioritizeAcks(bolt, slots);
    const log: string[] = [];
    let finishFirst!: () => void;
    const firstMayFinish = new Promise<void>((r) => (finishFirst = r));
    bolt.command('/demo', async ({ ack, command }) => {
      await ack();
      log.push(`work ${command.user_id}`);
      if (command.user_id === 'U1') await firstMayFinish;
    });

    const first = bolt.processEvent(commandEvent(log, 'U1'));
    const second = bolt.processEvent(commandEvent(log, 'U2'));
    await tick();
    await tick();
    // Both answered to Slack; only the first runs its work (one slot).
    expect(log).toEqual(['ack U1', 'ack U2', 'work U1']);
    expect(slots.waiting).toBe(1);

    finishFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(['ack U1', 'ack U2', 'work U1', 'work U2']);
    expect(slots.running).toBe(0);
  });

  test('a listener that throws after its ack gives its slot back', async () => {
    const bolt = boltApp();
    const slots = new AfterAckSlots(1, 60_000);
    prioritizeAcks(bolt, slots);
    const errors: string[] = [];
    bolt.error(async (e) => void errors.push(e.message));
    bolt.command('/demo', async ({ ack }) => {
      await ack();
      throw new Error('boom');
    });
    const log: string[] = [];
    await bolt.processEvent(commandEvent(log, 'U1'));
    await bolt.processEvent(commandEvent(log, 'U2'));
    expect(log).toEqual(['ack U1', 'ack U2']);
    expect(errors).toEqual(['boom', 'boom']);
    expect(slots.running).toBe(0);
  });
});
