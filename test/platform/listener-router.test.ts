import type { App, ReceiverEvent } from '@slack/bolt';
import { describe, expect, test } from 'vitest';
import { ListenerRouter } from '../../src/platform/listener-router.ts';
import { blockAction, slashCommand, testBolt } from './slack-payloads.ts';

function boltWith(router: ListenerRouter): { bolt: App; errors: unknown[] } {
  const bolt = testBolt();
  const errors: unknown[] = [];
  bolt.error(async (e) => void errors.push(e.original ?? e));
  router.install(bolt);
  return { bolt, errors };
}

/** Hand Bolt a request as its receiver would; what each ack answered goes into `acks`. */
const deliver = (bolt: App, body: Record<string, unknown>, acks: unknown[] = []) => bolt.processEvent({ body, ack: async (r?: unknown) => void acks.push(r ?? 'ack') } as ReceiverEvent);

describe('ListenerRouter on a real Bolt app', () => {
  test('each request reaches the listener registered for its id, exact ids and RegExp ids alike', async () => {
    const router = new ListenerRouter();
    const ran: string[] = [];
    router.action('catalog.filter', async ({ ack }) => void (await ack(), ran.push('filter')));
    router.action('catalog.sort', async ({ ack }) => void (await ack(), ran.push('sort')));
    router.action(/^catalog\.page\.(prev|next)$/, async ({ ack, action }) => void (await ack(), ran.push(`page ${(action as { action_id: string }).action_id}`)));
    router.view('demos.launch', async ({ ack, view }) => void (await ack(), ran.push(`view ${view.callback_id}`)));
    router.options('catalog.jump', async ({ ack }) => void (await ack({ options: [] }), ran.push('options')));
    router.command('/demo', async ({ ack, command }) => void (await ack(), ran.push(`command ${command.text}`)));
    router.event('app_home_opened', async ({ event }) => void ran.push(`event ${event.type}`));
    const { bolt, errors } = boltWith(router);

    const acks: unknown[] = [];
    await deliver(bolt, blockAction('catalog.sort'), acks);
    await deliver(bolt, blockAction('catalog.page.next'), acks);
    await deliver(bolt, blockAction('catalog.filter'), acks);
    await deliver(bolt, { type: 'view_submission', user: { id: 'U1' }, team: { id: 'T1' }, view: { id: 'V1', callback_id: 'demos.launch', state: { values: {} } } }, acks);
    await deliver(bolt, { type: 'block_suggestion', user: { id: 'U1' }, team: { id: 'T1' }, action_id: 'catalog.jump', block_id: 'b', value: 'crm' }, acks);
    await deliver(bolt, slashCommand('help'), acks);
    await deliver(bolt, { type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event: { type: 'app_home_opened', user: 'U1', tab: 'home', channel: 'D1' } }, acks);

    expect(ran).toEqual(['sort', 'page catalog.page.next', 'filter', 'view demos.launch', 'options', 'command help', 'event app_home_opened']);
    // Each listener's ack reached the receiver, with what it answered (Bolt acks events itself).
    expect(acks).toEqual(['ack', 'ack', 'ack', 'ack', { options: [] }, 'ack', 'ack']);
    expect(errors).toEqual([]);
  });

  test('a request nobody listens for runs nothing; every listener of one id runs; a failure reaches the error handler', async () => {
    const router = new ListenerRouter();
    const ran: string[] = [];
    router.action('demos.stop', async ({ ack }) => void (await ack(), ran.push('first')));
    router.action(/^demos\./, async () => void ran.push('pattern'));
    router.action('demos.delete', async ({ ack }) => {
      await ack();
      throw new Error('GCE said no');
    });
    const { bolt, errors } = boltWith(router);

    await deliver(bolt, blockAction('nobody.listens'));
    expect(ran).toEqual([]);
    await deliver(bolt, blockAction('demos.stop'));
    expect(ran.sort()).toEqual(['first', 'pattern']);
    await deliver(bolt, blockAction('demos.delete'));
    expect(errors.map((e) => (e as Error).message)).toEqual(['GCE said no']);
  });

  test('registration refuses what dispatch cannot honour', () => {
    const router = new ListenerRouter();
    const listener = async () => {};
    expect(() => router.action('a', listener, listener)).toThrow(/exactly one listener/);
    expect(() => router.action({ block_id: 'b' } as never, listener)).toThrow(/string or RegExp/);
  });
});

describe('ListenerRouter.ackOnArrival: which requests are answered before Bolt runs', () => {
  test('block_actions and Events API callbacks get an empty ack; function_executed, view submissions and options are left to their listeners', () => {
    const router = new ListenerRouter();
    expect(router.ackOnArrival(blockAction('demos.stop'))).toEqual({});
    expect(router.ackOnArrival({ type: 'event_callback', event: { type: 'app_home_opened' } })).toEqual({});
    expect(router.ackOnArrival({ type: 'event_callback', event: { type: 'function_executed' } })).toBeUndefined();
    expect(router.ackOnArrival({ type: 'view_submission', view: { callback_id: 'demos.launch' } })).toBeUndefined();
    expect(router.ackOnArrival({ type: 'block_suggestion', action_id: 'catalog.jump' })).toBeUndefined();
  });

  test('a command is answered on arrival only once it has a pure answer, and with that answer', () => {
    const router = new ListenerRouter();
    expect(router.ackOnArrival(slashCommand('help'))).toBeUndefined();
    router.answerCommandOnArrival('/demo', (c) => (c.text === 'help' ? { text: 'how to' } : undefined));
    expect(router.ackOnArrival(slashCommand('help'))).toEqual({ response: { text: 'how to' } });
    expect(router.ackOnArrival(slashCommand('browse'))).toEqual({ response: undefined });
    expect(router.ackOnArrival({ ...slashCommand('help'), command: '/other' })).toBeUndefined();
  });

  test('an answer that throws leaves the command to its listener (whose error then reaches app.error)', () => {
    const router = new ListenerRouter();
    router.answerCommandOnArrival('/demo', () => {
      throw new TypeError('unexpected payload');
    });
    expect(router.ackOnArrival(slashCommand('help'))).toBeUndefined();
  });
});
