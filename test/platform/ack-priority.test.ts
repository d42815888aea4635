import type { ReceiverEvent } from '@slack/bolt';
import { createServer, connect, type AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { ACK_TIMING, AfterAckSlots, prioritizeAcks, RAW_BODY, type RawBody } from '../../src/platform/ack-priority.ts';
import { ListenerRouter } from '../../src/platform/listener-router.ts';
import { blockAction, slashCommand, testBolt } from './slack-payloads.ts';

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `fn` while a request arrives every 5 ms. */
async function whileArriving<T>(slots: AfterAckSlots, fn: () => Promise<T>): Promise<T> {
  const steady = setInterval(() => slots.arrived(), 5);
  try {
    return await fn();
  } finally {
    clearInterval(steady);
  }
}

describe('AfterAckSlots', () => {
  test('at most `limit` run at once; the rest start in order as slots are given back', async () => {
    const slots = new AfterAckSlots({ limit: 2, maxWaitMs: 60_000, quietMs: 0 });
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
    const slots = new AfterAckSlots({ limit: 1, maxWaitMs: 30, quietMs: 0 });
    const first = await slots.enter(); // held, never given back in time
    const t0 = performance.now();
    const second = await slots.enter();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(slots.running).toBe(2);
    first();
    second();
    expect(slots.running).toBe(0);
  });

  test('work waits while requests keep arriving and starts once they pause for quietMs', async () => {
    const slots = new AfterAckSlots({ limit: 4, maxWaitMs: 60_000, quietMs: 40 });
    slots.arrived();
    let startedAt: number | undefined;
    const entered = slots.enter().then((release) => ((startedAt = performance.now()), release));
    await sleep(20);
    slots.arrived(); // the burst goes on: the pause starts again from here
    const lastArrival = performance.now();
    await sleep(25);
    expect(startedAt).toBeUndefined();
    expect(slots.waiting).toBe(1);
    (await entered)();
    expect(startedAt! - lastArrival).toBeGreaterThanOrEqual(38);
    expect(slots.running).toBe(0);
  });

  test('arrivals that never pause hold work back for maxWaitMs at most', async () => {
    const slots = new AfterAckSlots({ limit: 4, maxWaitMs: 60, quietMs: 20 });
    await whileArriving(slots, async () => {
      slots.arrived();
      const t0 = performance.now();
      const release = await slots.enter();
      const waited = performance.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(55);
      expect(waited).toBeLessThan(1_000);
      release();
    });
  });
});

describe('AfterAckSlots under steady arrivals and busy loops', () => {
  test('every waiter starts once it has waited maxWaitMs, in the order they came', async () => {
    const slots = new AfterAckSlots({ limit: 1, maxWaitMs: 40, quietMs: 20 });
    await whileArriving(slots, async () => {
      slots.arrived();
      const t0 = performance.now();
      const started: Array<{ i: number; at: number }> = [];
      const entries = [0, 1, 2].map(async (i) => {
        await sleep(i * 15);
        const release = await slots.enter();
        started.push({ i, at: performance.now() - t0 });
        return release;
      });
      for (const release of await Promise.all(entries)) release();
      expect(started.map((s) => s.i)).toEqual([0, 1, 2]);
      // Each waited its own 40 ms (give or take a timer tick), not the first one's.
      started.forEach(({ i, at }) => expect(at).toBeGreaterThanOrEqual(i * 15 + 38));
      expect(started[2]!.at).toBeLessThan(1_000);
    });
  });

  test('a request read in the same turn of the event loop as the quiet check counts before the work is let in', async () => {
    const slots = new AfterAckSlots({ limit: 4, maxWaitMs: 60_000, quietMs: 5 });
    let arrivedAt = 0;
    const server = createServer((socket) => socket.on('data', () => ((arrivedAt = performance.now()), slots.arrived())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    try {
      slots.arrived();
      let startedAt = 0;
      const entered = slots.enter().then((release) => ((startedAt = performance.now()), release));
      // The quiet check falls due while the loop is busy, and a request comes in meanwhile: the
      // next turn finds both ready. Timers run before I/O is read; the check must not believe the quiet.
      client.write('request');
      const busyUntil = performance.now() + 30;
      while (performance.now() < busyUntil);
      (await entered)();
      expect(arrivedAt).toBeGreaterThan(0);
      expect(startedAt - arrivedAt).toBeGreaterThanOrEqual(4);
    } finally {
      client.destroy();
      server.close();
    }
  });
});

describe('prioritizeAcks on a real Bolt app', () => {
  const commandEvent = (acks: string[], user: string): ReceiverEvent => ({
    body: slashCommand('x', user),
    ack: async () => void acks.push(`ack ${user}`),
  });

  test('every request is acked at once; work after the ack waits for a slot, which is given back when the listener ends', async () => {
    const bolt = testBolt();
    const slots = new AfterAckSlots({ limit: 1, maxWaitMs: 60_000, quietMs: 0 });
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
    const bolt = testBolt();
    const slots = new AfterAckSlots({ limit: 1, maxWaitMs: 60_000, quietMs: 0 });
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

  describe('requests answered on arrival', () => {
    /** As HTTPReceiver hands it over (src/platform/slack.ts puts the raw body in customProperties). */
    const received = (body: object, acks: unknown[], raw?: object): ReceiverEvent => ({
      body,
      ack: async (r?: unknown) => void acks.push(r ?? 'empty ack'),
      customProperties: {
        [RAW_BODY]: { bytes: Buffer.from(`payload=${encodeURIComponent(JSON.stringify(raw ?? body))}`), contentType: 'application/x-www-form-urlencoded' } satisfies RawBody,
      } as never,
    });

    test('a click is acked before Bolt runs anything; the listener runs later, from the raw body, and its own ack sends nothing', async () => {
      const bolt = testBolt();
      const router = new ListenerRouter();
      const timed: Array<{ type: unknown; ms: number }> = [];
      prioritizeAcks(bolt, new AfterAckSlots({ limit: 1, maxWaitMs: 60_000, quietMs: 0 }), {
        ackOnArrival: router.ackOnArrival,
        acked: (body, ms) => void timed.push({ type: (body as { type?: unknown }).type, ms }),
      });
      const log: unknown[] = [];
      bolt.use(async ({ next }) => void (log.push('middleware'), await next()));
      let context: Record<string | symbol, unknown> = {};
      let listenerDone!: () => void;
      const ran = new Promise<void>((r) => (listenerDone = r));
      router.action(/.*/, async ({ ack, action, context: c }) => {
        await ack();
        log.push(`listener ${(action as { action_id: string }).action_id}`);
        context = c as unknown as Record<string | symbol, unknown>;
        listenerDone();
      });
      router.install(bolt);

      // The raw bytes say what the listener sees: the parsed body is not kept while the request waits.
      await bolt.processEvent(received(blockAction('parsed'), log, blockAction('demos.stop')));
      expect(log).toEqual(['empty ack']);
      expect(timed).toEqual([{ type: 'block_actions', ms: expect.any(Number) }]);
      await ran;
      expect(log).toEqual(['empty ack', 'middleware', 'listener demos.stop']);
      expect(context[ACK_TIMING]).toMatchObject({ receivedAt: expect.any(Number), ackedAt: expect.any(Number) });
      expect(Object.getOwnPropertySymbols(context)).not.toContain(RAW_BODY);
    });

    test("a command's answer goes out in the ack on arrival; a view submission is acked by its listener, with its answer", async () => {
      const bolt = testBolt();
      const router = new ListenerRouter();
      const timed: unknown[] = [];
      prioritizeAcks(bolt, new AfterAckSlots({ limit: 1, maxWaitMs: 60_000, quietMs: 0 }), { ackOnArrival: router.ackOnArrival, acked: (body) => void timed.push((body as { type?: string; command?: string }).type ?? (body as { command?: string }).command) });
      router.answerCommandOnArrival('/demo', (c) => ({ text: `help for ${c.user_id}` }));
      const listenerAcks: unknown[] = [];
      router.command('/demo', async ({ ack }) => void listenerAcks.push(await ack({ text: 'ignored: already answered' } as never)));
      router.view('demos.launch', async ({ ack }) => void (await ack({ response_action: 'errors', errors: { zone: 'Pick a zone.' } })));
      router.install(bolt);

      const acks: unknown[] = [];
      await bolt.processEvent(received(slashCommand('help'), acks));
      await bolt.processEvent(received({ type: 'view_submission', user: { id: 'U1' }, team: { id: 'T1' }, view: { id: 'V1', callback_id: 'demos.launch', state: { values: {} } } }, acks));
      await sleep(20);
      expect(acks).toEqual([{ text: 'help for U1' }, { response_action: 'errors', errors: { zone: 'Pick a zone.' } }]);
      expect(listenerAcks).toHaveLength(1);
      // Both acks are timed once: on arrival for the command, when its listener acked for the submission.
      expect(timed).toEqual(['/demo', 'view_submission']);
    });
  });
});
