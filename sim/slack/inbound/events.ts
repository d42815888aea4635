/**
 * Events API deliveries (event_callback envelopes). Message events also change the fake's state the way
 * the user's action would, so that conversations.replies and history see what the event announced.
 */
import { randomId } from '../ids.ts';
import { publicView } from '../store/views.ts';
import type { FakeSlack } from '../server.ts';
import type { FakeChannel, JsonObject, StoredMessage } from '../types.ts';
import { nowTs, resolveChannel, type SlackRequest } from './common.ts';
import { unfurlIdFor } from '../methods/chat.ts';

export interface EnvelopeOptions {
  eventId?: string;
  eventTime?: number;
}

/** Wrap an event as Slack delivers it to the Request URL. */
export function eventCallback(fake: FakeSlack, event: JsonObject, opts: EnvelopeOptions = {}): SlackRequest {
  const id = fake.identity;
  const payload: JsonObject = {
    token: id.verificationToken,
    team_id: id.teamId,
    context_team_id: id.teamId,
    context_enterprise_id: null,
    api_app_id: id.appId,
    event,
    type: 'event_callback',
    event_id: opts.eventId ?? randomId('Ev'),
    event_time: opts.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: id.teamId, user_id: id.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${id.teamId}:${String(event['type'])}`).toString('base64url')}`,
  };
  return { kind: 'event', contentType: 'application/json', body: JSON.stringify(payload), payload };
}

/** The user opened the app's Home (or Messages) tab. */
export function appHomeOpened(fake: FakeSlack, input: { user?: string; tab?: 'home' | 'messages' } & EnvelopeOptions = {}): SlackRequest {
  const user = input.user ?? 'U_ALICE';
  const channel = fake.workspace.directory.openIm(user).channel;
  const home = fake.home(user);
  const event: JsonObject = { type: 'app_home_opened', user, channel: channel.id, tab: input.tab ?? 'home', event_ts: nowTs() };
  if (home && (input.tab ?? 'home') === 'home') event['view'] = publicView(home);
  return eventCallback(fake, event, input);
}

export interface UserMessageInput extends EnvelopeOptions {
  user?: string;
  /** Channel id, or a user id for the app's DM with them. */
  channel: string;
  text: string;
  /** Reply in this thread. */
  threadTs?: string;
}

/** A user posts a message (or a thread reply): stored in the fake, then delivered as a `message` event. */
export function userMessage(fake: FakeSlack, input: UserMessageInput): SlackRequest {
  const user = input.user ?? 'U_ALICE';
  const channel = resolveChannel(fake, input.channel);
  const posted = fake.workspace.messages.post(channel.id, {
    text: input.text,
    user,
    team: fake.identity.teamId,
    blocks: richText(input.text),
    thread_ts: input.threadTs,
  });
  if (typeof posted === 'string') throw new Error(`fake Slack: ${posted} (${input.threadTs ?? ''})`);
  const event: JsonObject = {
    ...wire(posted),
    client_msg_id: crypto.randomUUID(),
    event_ts: posted.ts,
    channel: channel.id,
    channel_type: channelType(channel),
  };
  if (posted.thread_ts !== undefined) {
    event['parent_user_id'] = fake.message(channel.id, posted.thread_ts)?.user ?? '';
  }
  return eventCallback(fake, event, input);
}

/** The author edits a message: `message` event with subtype message_changed. */
export function messageChanged(fake: FakeSlack, input: { channel: string; ts: string; text: string } & EnvelopeOptions): SlackRequest {
  const channel = resolveChannel(fake, input.channel);
  const before = fake.message(channel.id, input.ts);
  if (!before) throw new Error(`fake Slack: no message ${input.ts} in ${channel.id}`);
  const previous = wire(structuredClone(before));
  const editor = before.user ?? fake.identity.botUserId;
  const after = fake.workspace.messages.update(channel.id, input.ts, { text: input.text, blocks: richText(input.text) }, editor);
  if (!after) throw new Error(`fake Slack: no message ${input.ts} in ${channel.id}`);
  const eventTs = fake.workspace.messages.nextTs();
  const event: JsonObject = {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    message: wire(after),
    channel: channel.id,
    previous_message: previous,
    event_ts: eventTs,
    ts: eventTs,
    channel_type: channelType(channel),
  };
  return eventCallback(fake, event, input);
}

/**
 * A user posts a message with links to a domain the app unfurls: the message is stored, and Slack
 * sends link_shared with the links of those domains (the unfurl_id names the message for chat.unfurl).
 */
export function linkShared(fake: FakeSlack, input: UserMessageInput & { domains: string[] }): SlackRequest {
  const channel = resolveChannel(fake, input.channel);
  const sent = userMessage(fake, { user: input.user, channel: channel.id, text: input.text, threadTs: input.threadTs });
  const posted = (sent.payload['event'] as JsonObject)['ts'] as string;
  const links = [...input.text.matchAll(/<(https?:\/\/[^|>]+)(?:\|[^>]*)?>/g)]
    .map((m) => m[1]!.replace(/&amp;/g, '&'))
    .filter((url) => input.domains.some((d) => new URL(url).hostname === d || new URL(url).hostname.endsWith(`.${d}`)))
    .map((url) => ({ domain: new URL(url).hostname, url }));
  const event: JsonObject = {
    type: 'link_shared',
    channel: channel.id,
    is_bot_user_member: channel.botMember,
    user: input.user ?? 'U_ALICE',
    message_ts: posted,
    unfurl_id: unfurlIdFor(channel.id, posted),
    source: 'conversations_history',
    links,
    event_ts: posted,
    ...(input.threadTs !== undefined ? { thread_ts: input.threadTs } : {}),
  };
  return eventCallback(fake, event, input);
}

/** A message is deleted: `message` event with subtype message_deleted. */
export function messageDeleted(fake: FakeSlack, input: { channel: string; ts: string } & EnvelopeOptions): SlackRequest {
  const channel = resolveChannel(fake, input.channel);
  const removed = fake.workspace.messages.delete(channel.id, input.ts);
  if (!removed) throw new Error(`fake Slack: no message ${input.ts} in ${channel.id}`);
  const eventTs = fake.workspace.messages.nextTs();
  const event: JsonObject = {
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel: channel.id,
    ts: eventTs,
    deleted_ts: removed.ts,
    event_ts: eventTs,
    previous_message: wire(removed),
    channel_type: channelType(channel),
  };
  return eventCallback(fake, event, input);
}

function wire(m: StoredMessage): JsonObject {
  const { channel: _channel, ...rest } = m;
  return structuredClone(rest) as unknown as JsonObject;
}

function channelType(c: FakeChannel): string {
  return c.is_im ? 'im' : c.is_private ? 'group' : 'channel';
}

/** Slack clients send what the user typed as a rich_text block beside `text`. */
function richText(text: string): JsonObject[] {
  return [
    {
      type: 'rich_text',
      block_id: randomId('', 5),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}
