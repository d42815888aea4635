import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, SlashCommand } from '@slack/bolt';
import type { AckOnArrival } from './ack-priority.ts';

type Kind = 'action' | 'view' | 'options' | 'event' | 'command';

/** What capabilities register their listeners on: the part of Bolt's App they use, same signatures. */
export type SlackListeners = Pick<App, Kind>;

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;
type Listener = (args: Args) => Promise<void>;

/** The id Bolt would match a string constraint against, per kind of request. */
const ID_OF: Record<Kind, (args: Args) => string | undefined> = {
  action: (a) => ('action' in a ? (a.action as { action_id?: string }).action_id : undefined),
  view: (a) => ('view' in a ? a.view.callback_id : undefined),
  options: (a) => (a.body as { action_id?: string }).action_id,
  event: (a) => ('event' in a ? a.event.type : undefined),
  command: (a) => ('command' in a ? a.command.command : undefined),
};

/**
 * Bolt tries every registered listener on every request (App.processEvent maps over all of them,
 * copying each one's middleware and running its matchers), so each request costs more with each
 * listener: with this app's ~50 that was most of what the ack path allocated, and the garbage
 * collections it caused showed in the ack latency. The router stands in for Bolt's `App` when
 * capabilities register (same methods, same listener arguments), registers one Bolt listener per
 * kind, and finds the listener by id in a Map (RegExp ids are tried after, in order). As in Bolt,
 * every matching listener runs and a request nobody listens for is left alone.
 */
export class ListenerRouter implements SlackListeners {
  readonly #byId = new Map<string, Listener[]>();
  readonly #patterns: Array<{ kind: Kind; pattern: RegExp; listener: Listener }> = [];

  readonly action = this.#adder('action') as App['action'];
  readonly view = this.#adder('view') as App['view'];
  readonly options = this.#adder('options') as App['options'];
  readonly event = this.#adder('event') as App['event'];
  readonly command = this.#adder('command') as App['command'];

  readonly #commandAnswers = new Map<string, (command: SlashCommand) => unknown>();

  /**
   * What a slash command's ack carries, decided from its payload alone (no I/O): the command is then
   * acked as it arrives, before Bolt runs (ackOnArrival). Its listener still calls ack() with the
   * same answer, a no-op then, so it answers alike wherever it runs.
   */
  answerCommandOnArrival(command: string, answer: (payload: SlashCommand) => unknown): void {
    this.#commandAnswers.set(command, answer);
  }

  /**
   * Requests acked as they arrive (see prioritizeAcks): block_actions and Events API callbacks, whose
   * acks Slack reads nothing from (not function_executed, whose listener acks), and commands given
   * an answer above. View submissions and options carry their answer in the ack: their listeners ack.
   */
  readonly ackOnArrival: AckOnArrival = (body) => {
    if (body['type'] === 'block_actions') return {};
    if (body['type'] === 'event_callback') return (body['event'] as { type?: string } | undefined)?.type === 'function_executed' ? undefined : {};
    const answer = typeof body['command'] === 'string' ? this.#commandAnswers.get(body['command']) : undefined;
    if (!answer) return undefined;
    try {
      return { response: answer(body as unknown as SlashCommand) };
    } catch {
      return undefined; // a payload the answer cannot read: the listener meets it, and app.error reports it
    }
  };

  /** Register the router with Bolt: one listener per kind. */
  install(bolt: App): void {
    const all = /^/;
    bolt.action(all, (args) => this.#dispatch('action', args as Args));
    bolt.view(all, (args) => this.#dispatch('view', args as Args));
    bolt.options(all, (args) => this.#dispatch('options', args as Args));
    bolt.event(all, (args) => this.#dispatch('event', args as Args));
    bolt.command(all, (args) => this.#dispatch('command', args as Args));
  }

  #adder(kind: Kind) {
    return (id: unknown, ...listeners: unknown[]): void => {
      // Listener middleware chains are not used here; one function per registration keeps dispatch a lookup.
      if (listeners.length !== 1 || typeof listeners[0] !== 'function') throw new Error(`${kind}(${String(id)}): register exactly one listener function`);
      const listener = listeners[0] as Listener;
      if (typeof id === 'string') {
        const key = `${kind}:${id}`;
        this.#byId.set(key, [...(this.#byId.get(key) ?? []), listener]);
      } else if (id instanceof RegExp) {
        this.#patterns.push({ kind, pattern: id, listener });
      } else {
        throw new Error(`${kind}: the router matches on a string or RegExp id, not ${JSON.stringify(id)}`);
      }
    };
  }

  async #dispatch(kind: Kind, args: Args): Promise<void> {
    const id = ID_OF[kind](args);
    if (id === undefined) return;
    const matching = [...(this.#byId.get(`${kind}:${id}`) ?? []), ...this.#patterns.filter((p) => p.kind === kind && p.pattern.test(id)).map((p) => p.listener)];
    if (matching.length === 1) return matching[0]!(args);
    const failures = (await Promise.allSettled(matching.map((listener) => listener(args)))).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} listeners for ${kind} ${id} failed`);
  }
}
