/**
 * Inbound Slack for tests: build real Slack requests (slash commands, interactions, Events API) from the
 * fake Slack's state, sign them, and POST them to the app's real receiver. The builders live in
 * sim/slack/inbound so the local workspace page can use them too.
 */
import {
  applyCommandAck,
  applyViewSubmissionAck,
  appHomeOpened,
  blockActions,
  blockSuggestion,
  deliver,
  eventCallback,
  globalShortcut,
  linkShared,
  messageChanged,
  messageDeleted,
  messageShortcut,
  slashCommand,
  userMessage,
  viewClosed,
  viewSubmission,
  type BlockActionInput,
  type DeliverOptions,
  type EnvelopeOptions,
  type FakeSlack,
  type InteractionSurface,
  type JsonObject,
  type SlackRequest,
  type SlashCommandInput,
  type UserMessageInput,
  type ViewAckOutcome,
  type ViewSubmissionInput,
} from '../../sim/slack/index.ts';

export {
  interactionRequest,
  applyViewSubmissionAck,
  appHomeOpened,
  blockActions,
  blockSuggestion,
  deliver,
  eventCallback,
  messageChanged,
  messageDeleted,
  signedHeaders,
  slackSignature,
  slashCommand,
  userMessage,
  verifySlackSignature,
  viewClosed,
  viewSubmission,
} from '../../sim/slack/index.ts';
export type {
  BlockActionInput,
  DeliverOptions,
  EnvelopeOptions,
  InteractionSurface,
  SignatureMode,
  SlackRequest,
  SlashCommandInput,
  UserMessageInput,
  ViewAckOutcome,
  ViewSubmissionInput,
} from '../../sim/slack/index.ts';

export type SendOptions = Omit<DeliverOptions, 'signingSecret'>;

export interface Sent<P = JsonObject> {
  request: SlackRequest<P>;
  response: Response;
  /** The receiver's answer (ack body), parsed as JSON when it is JSON. */
  body: unknown;
}

/** One user's Slack, pointed at the app under test: build, sign, send. */
export class InboundSlack {
  readonly fake: FakeSlack;
  readonly receiverUrl: string;
  readonly signingSecret: string;

  constructor(fake: FakeSlack, receiverUrl: string, signingSecret: string) {
    this.fake = fake;
    this.receiverUrl = receiverUrl;
    this.signingSecret = signingSecret;
  }

  async send<P>(request: SlackRequest<P>, opts: SendOptions = {}): Promise<Sent<P>> {
    const response = await deliver(this.receiverUrl, request, { ...opts, signingSecret: this.signingSecret });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { request, response, body };
  }

  /** Send a slash command; a message in the ack is shown to the user as Slack would (ephemeral). */
  async command(input: SlashCommandInput = {}, opts?: SendOptions): Promise<Sent<Record<string, string>>> {
    const sent = await this.send(slashCommand(this.fake, input), opts);
    if (sent.response.status === 200) applyCommandAck(this.fake, sent.request.payload as { user_id: string; channel_id: string }, sent.body);
    return sent;
  }

  action(input: BlockActionInput, opts?: SendOptions): Promise<Sent> {
    return this.send(blockActions(this.fake, input), opts);
  }

  /** Submit a modal; what the app acked (close, update, push, clear, errors) is applied to the fake's modal stack. */
  async submit(input: ViewSubmissionInput, opts?: SendOptions): Promise<Sent & { outcome?: ViewAckOutcome }> {
    const sent = await this.send(viewSubmission(this.fake, input), opts);
    if (sent.response.status !== 200) return sent;
    return { ...sent, outcome: applyViewSubmissionAck(this.fake, input.viewId, sent.body) };
  }

  closeView(input: { user?: string; viewId: string; isCleared?: boolean }, opts?: SendOptions): Promise<Sent> {
    return this.send(viewClosed(this.fake, input), opts);
  }

  suggest(input: { user?: string; on: InteractionSurface; actionId: string; value: string }, opts?: SendOptions): Promise<Sent> {
    return this.send(blockSuggestion(this.fake, input), opts);
  }

  homeOpened(input: { user?: string; tab?: 'home' | 'messages' } & EnvelopeOptions = {}, opts?: SendOptions): Promise<Sent> {
    return this.send(appHomeOpened(this.fake, input), opts);
  }

  message(input: UserMessageInput, opts?: SendOptions): Promise<Sent> {
    return this.send(userMessage(this.fake, input), opts);
  }

  messageChanged(input: { channel: string; ts: string; text: string } & EnvelopeOptions, opts?: SendOptions): Promise<Sent> {
    return this.send(messageChanged(this.fake, input), opts);
  }

  messageDeleted(input: { channel: string; ts: string } & EnvelopeOptions, opts?: SendOptions): Promise<Sent> {
    return this.send(messageDeleted(this.fake, input), opts);
  }

  globalShortcut(input: { user?: string; callbackId: string }, opts?: SendOptions): Promise<Sent> {
    return this.send(globalShortcut(this.fake, input), opts);
  }

  messageShortcut(input: { user?: string; callbackId: string; channel: string; messageTs: string }, opts?: SendOptions): Promise<Sent> {
    return this.send(messageShortcut(this.fake, input), opts);
  }

  /** Post a message with links; Slack sends link_shared for those in the app's unfurl domains. */
  linkShared(input: UserMessageInput & { domains: string[] }, opts?: SendOptions): Promise<Sent> {
    return this.send(linkShared(this.fake, input), opts);
  }

  event(event: JsonObject, envelope: EnvelopeOptions = {}, opts?: SendOptions): Promise<Sent> {
    return this.send(eventCallback(this.fake, event, envelope), opts);
  }
}
