import type { SlackValidation } from '../block-kit-limits.ts';
import type { Workspace } from '../store/workspace.ts';
import type { Args, FakeChannel, JsonObject, StoredMessage } from '../types.ts';

export interface MethodContext {
  args: Args;
  ws: Workspace;
  /** http://127.0.0.1:PORT — where upload and response URLs point. */
  baseUrl: string;
  /** With chat:write.public a bot posts to public channels it has not joined. */
  chatWritePublic: boolean;
}

export type MethodHandler = (ctx: MethodContext) => JsonObject;

export function fail(error: string, extra: JsonObject = {}): JsonObject {
  return { ok: false, error, ...extra };
}

/** Slack's shape for validation failures: `errors` plus `[ERROR]` lines in response_metadata.messages. */
export function validationFailure(v: SlackValidation, withErrorsField: boolean): JsonObject {
  const messages = v.errors.map((e) => `[ERROR] ${e}`);
  if (messages.length === 0) return fail(v.error);
  return withErrorsField ? fail(v.error, { errors: v.errors, response_metadata: { messages } }) : fail(v.error, { response_metadata: { messages } });
}

export type ChannelAccess = FakeChannel | 'channel_not_found' | 'not_in_channel';

/**
 * The channel a method acts on, as the bot sees it: a user id means the bot's IM with that user
 * (when `userMeansIm`), private channels the bot is not in do not exist for it, and public ones it
 * has not joined answer not_in_channel.
 */
export function accessChannel(ctx: MethodContext, id: string | undefined, opts: { userMeansIm?: boolean; write?: boolean } = {}): ChannelAccess {
  if (id === undefined || id === '') return 'channel_not_found';
  const dir = ctx.ws.directory;
  if (opts.userMeansIm && dir.isUserId(id)) return dir.openIm(id).channel;
  const byName = id.replace(/^#/, '');
  const channel = dir.channels.get(id) ?? [...dir.channels.values()].find((c) => !c.is_im && c.name === byName);
  if (!channel) return 'channel_not_found';
  if (channel.botMember) return channel;
  if (channel.is_private) return 'channel_not_found';
  if (opts.write && ctx.chatWritePublic) return channel;
  return 'not_in_channel';
}

/** A stored message as the Web API returns it; metadata only when asked for, as Slack does. */
export function messageOut(ctx: MethodContext, m: StoredMessage, includeMetadata: boolean): JsonObject {
  const { channel: _channel, metadata, ...rest } = m;
  const out = structuredClone(rest) as unknown as JsonObject;
  if (m.thread_ts !== undefined && m.thread_ts !== m.ts) {
    const parent = ctx.ws.messages.find(m.channel, m.thread_ts);
    out['parent_user_id'] = parent?.user ?? '';
  }
  if (includeMetadata && metadata) out['metadata'] = structuredClone(metadata) as unknown as JsonObject;
  if (m.bot_id !== undefined) out['bot_profile'] = botProfile(ctx);
  return out;
}

export function botProfile(ctx: MethodContext): JsonObject {
  const id = ctx.ws.identity;
  return { id: id.botId, app_id: id.appId, name: id.botName, deleted: false, team_id: id.teamId, updated: 1700000000 };
}

/** Opaque cursors like Slack's ("bmV4dF90czox…" is base64 of "next_ts:1…"). */
export function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

export function decodeCursor(cursor: string | undefined): string | undefined | 'invalid' {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  return text.startsWith('next_ts:') ? text.slice('next_ts:'.length) : 'invalid';
}
