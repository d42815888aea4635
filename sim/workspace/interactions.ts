import { z } from 'zod';
import { PATTERNS } from '../monitoring/index.ts';
import {
  applyCommandAck,
  applyViewSubmissionAck,
  appHomeOpened,
  blockActions,
  blockSuggestion,
  deliver,
  interactionRequest,
  slashCommand,
  stateValues,
  userMessage,
  viewClosed,
  viewSubmission,
  type FakeSlack,
  type JsonObject,
  type SlackRequest,
  type ViewAckOutcome,
} from '../slack/index.ts';

/**
 * What the page's clicks and keystrokes become: the payload Slack would build, signed and POSTed to
 * the app's own receiver, and the app's answer applied as Slack applies it (command ack messages,
 * view_submission response_actions, closed modals).
 */

/** Slack gives up on an app that has not answered within 3 seconds. */
const ACK_TIMEOUT_MS = 3_000;

const userId = z.string().regex(/^[UW][A-Z0-9_]{1,40}$/);
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/);
const id = z.string().min(1).max(255);
const surface = z.union([z.object({ viewId: id }), z.object({ channel: id, messageTs: ts }), z.object({ channel: id, ephemeralTs: ts })]);
const plainText = z.object({ type: z.literal('plain_text'), text: z.string().max(2_000), emoji: z.boolean().optional() });
const option = z.object({ text: plainText, value: z.string().max(2_000), description: plainText.optional() });
const choice = z.union([z.string().max(40_000), z.array(z.string().max(2_000)).max(100)]).optional();
const stateEntry = z.object({ blockId: id, actionId: id, choice, option: option.optional(), options: z.array(option).max(100).optional() });
const state = z.array(stateEntry).max(200).default([]);

export const Bodies = {
  command: z.object({ user: userId, channel: id, text: z.string().min(1).max(4_000) }),
  message: z.object({ user: userId, channel: id, text: z.string().trim().min(1).max(40_000), threadTs: ts.optional() }),
  action: z.object({
    user: userId,
    surface,
    blockId: id,
    actionId: id,
    choice,
    option: option.optional(),
    options: z.array(option).max(100).optional(),
    state,
  }),
  submit: z.object({ user: userId, viewId: id, state }),
  close: z.object({ user: userId, viewId: id, all: z.boolean() }),
  suggest: z.object({ user: userId, surface, actionId: id, value: z.string().max(500) }),
  home: z.object({ user: userId, tab: z.enum(['home', 'messages']) }),
  dismiss: z.object({ user: userId, ts }),
  /** Not Slack: what the local user does on a simulated VM (its Cloud Monitoring series follow). */
  activity: z.object({ user: userId, instance: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/), pattern: z.enum(PATTERNS) }),
};

type Body<K extends keyof typeof Bodies> = z.infer<(typeof Bodies)[K]>;
type StateEntry = z.infer<typeof stateEntry>;

export type Outcome = { ok: true; outcome?: ViewAckOutcome; options?: unknown } | { ok: false; error: string };

export class Interactions {
  readonly #fake: FakeSlack;
  readonly #signingSecret: string;
  readonly #receiverUrl: () => string;

  constructor(fake: FakeSlack, signingSecret: string, receiverUrl: () => string) {
    this.#fake = fake;
    this.#signingSecret = signingSecret;
    this.#receiverUrl = receiverUrl;
  }

  /** `/demo …` typed in the composer. */
  async command(b: Body<'command'>): Promise<Outcome> {
    const [name = '', ...words] = b.text.trim().split(/\s+/);
    if (name !== '/demo') return { ok: false, error: `${name} is not a valid command. In this workspace only /demo is installed.` };
    const request = slashCommand(this.#fake, { user: b.user, channel: b.channel, command: name, text: words.join(' ') });
    const sent = await this.#send(request);
    if (!sent.ok) return { ok: false, error: `${name} failed with the error "${sent.error}"` };
    applyCommandAck(this.#fake, request.payload as { user_id: string; channel_id: string }, sent.body);
    return { ok: true };
  }

  /** A plain message or thread reply: stored, then delivered as a `message` event. */
  async message(b: Body<'message'>): Promise<Outcome> {
    return this.#sent(await this.#send(userMessage(this.#fake, { user: b.user, channel: b.channel, text: b.text, threadTs: b.threadTs })));
  }

  /** A button press, a pick in a select or overflow, Enter in a dispatching input: block_actions. */
  async action(b: Body<'action'>): Promise<Outcome> {
    const values = this.#recordState(b.user, b.surface, b.state);
    // For a button, the choice is its value: it tells apart rows of cards that share an action_id.
    const request = blockActions(this.#fake, { user: b.user, on: b.surface, actionId: b.actionId, choice: b.choice });
    const payload = request.payload;
    const action = (payload['actions'] as JsonObject[])[0]!;
    // Rows often repeat an action_id: the block the user clicked in is the one to report.
    action['block_id'] = b.blockId;
    // The fake knows no labels for external options; the page saw them in the app's suggestions.
    if (b.option) action['selected_option'] = b.option;
    if (b.options) action['selected_options'] = b.options;
    if (!('viewId' in b.surface)) payload['state'] = { values };
    return this.#sent(await this.#send(interactionRequest(payload, { triggerId: request.triggerId, responseUrl: request.responseUrl })));
  }

  /** The modal's submit button: view_submission, then the app's response_action applied to the stack. */
  async submit(b: Body<'submit'>): Promise<Outcome> {
    this.#ownView(b.user, b.viewId);
    this.#recordState(b.user, { viewId: b.viewId }, b.state);
    const sent = await this.#send(viewSubmission(this.#fake, { user: b.user, viewId: b.viewId }));
    if (!sent.ok) return { ok: false, error: `The app did not answer (${sent.error}). Try again.` };
    const outcome = applyViewSubmissionAck(this.#fake, b.viewId, sent.body);
    if (outcome.outcome === 'refused') return { ok: false, error: `Slack would refuse the app's answer: ${outcome.reason}` };
    return { ok: true, outcome };
  }

  /**
   * Close (the modal's close button pops one view; ✕ or clear_on_close closes them all). Slack tells
   * the app only when the view asked for it (notify_on_close).
   */
  async close(b: Body<'close'>): Promise<Outcome> {
    const view = this.#ownView(b.user, b.viewId);
    const stack = this.#fake.views(b.user);
    const all = b.all || view.clear_on_close || stack.length <= 1;
    if (!view.notify_on_close) {
      this.#fake.workspace.views.close(all ? view.root_view_id : view.id);
      return { ok: true };
    }
    return this.#sent(await this.#send(viewClosed(this.#fake, { user: b.user, viewId: view.id, isCleared: all && stack.length > 1 })));
  }

  /** An external select asks the app for options while the user types. */
  async suggest(b: Body<'suggest'>): Promise<Outcome> {
    const sent = await this.#send(blockSuggestion(this.#fake, { user: b.user, on: b.surface, actionId: b.actionId, value: b.value }));
    if (!sent.ok) return { ok: false, error: sent.error };
    const body = isObject(sent.body) ? sent.body : {};
    return { ok: true, options: { options: body['options'] ?? [], option_groups: body['option_groups'] ?? [] } };
  }

  async home(b: Body<'home'>): Promise<Outcome> {
    return this.#sent(await this.#send(appHomeOpened(this.#fake, { user: b.user, tab: b.tab })));
  }

  /** "Dismiss message" on an ephemeral: Slack's client hides it; nothing reaches the app. */
  dismiss(b: Body<'dismiss'>): Outcome {
    for (const e of this.#fake.ephemerals(b.user)) if (e.ts === b.ts) e.deleted = true;
    return { ok: true };
  }

  /** What the user has typed or picked so far on a surface, as the next payload's state.values. */
  #recordState(user: string, on: Body<'action'>['surface'], entries: StateEntry[]): JsonObject {
    if (!('viewId' in on)) return this.#values(this.#surfaceBlocks(user, on), entries);
    const view = this.#ownView(user, on.viewId);
    const values = this.#values(view.blocks, entries);
    this.#fake.workspace.views.setState(view.id, values);
    return values;
  }

  #values(blocks: JsonObject[], entries: StateEntry[]): JsonObject {
    const values: Record<string, JsonObject> = {};
    for (const e of entries) {
      const block = blocks.find((b) => b['block_id'] === e.blockId);
      if (!block) continue; // the surface changed under the user: that input is gone
      let entry: JsonObject | undefined;
      try {
        entry = (stateValues([block], { [e.actionId]: e.choice })[e.blockId] as JsonObject | undefined)?.[e.actionId] as JsonObject | undefined;
      } catch {
        continue; // a picked option the new version of the view no longer offers
      }
      if (!entry) continue;
      if (e.option) entry['selected_option'] = e.option;
      if (e.options) entry['selected_options'] = e.options;
      values[e.blockId] = { ...values[e.blockId], [e.actionId]: entry };
    }
    return values;
  }

  #surfaceBlocks(user: string, on: { channel: string; messageTs: string } | { channel: string; ephemeralTs: string }): JsonObject[] {
    if ('messageTs' in on) return this.#fake.message(on.channel, on.messageTs)?.blocks ?? [];
    return this.#fake.ephemerals(user).find((e) => e.ts === on.ephemeralTs)?.blocks ?? [];
  }

  #ownView(user: string, viewId: string) {
    const view = this.#fake.view(viewId);
    if (!view || view.closed || view.user !== user) throw new StaleSurface('That view is no longer open.');
    return view;
  }

  #sent(sent: Sent): Outcome {
    return sent.ok ? { ok: true } : { ok: false, error: `The app did not answer (${sent.error}).` };
  }

  async #send(request: SlackRequest<unknown>): Promise<Sent> {
    let response: Response;
    try {
      response = await deliver(this.#receiverUrl(), request, { signingSecret: this.#signingSecret, signal: AbortSignal.timeout(ACK_TIMEOUT_MS) });
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed' };
    }
    const text = await response.text();
    if (response.status !== 200) return { ok: false, error: `dispatch_failed: HTTP ${response.status}` };
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { ok: true, body };
  }
}

type Sent = { ok: true; body: unknown } | { ok: false; error: string };

/** The page acted on something that has changed or gone (a stale button, a closed modal). */
export class StaleSurface extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
