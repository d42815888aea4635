import { argBool, argInt, argString } from '../http-body.ts';
import { compareTs } from '../ids.ts';
import type { JsonObject, StoredMessage } from '../types.ts';
import { accessChannel, decodeCursor, encodeCursor, fail, messageOut, type MethodContext, type MethodHandler } from './context.ts';

/**
 * One page of `messages` (already in the order Slack returns them) after the oldest/latest window and
 * the cursor, which names the first ts of the next page.
 */
function page(ctx: MethodContext, messages: StoredMessage[], defaultLimit: number): JsonObject {
  const { args } = ctx;
  const inclusive = argBool(args, 'inclusive');
  const oldest = argString(args, 'oldest');
  const latest = argString(args, 'latest');
  const inWindow = messages.filter((m) => {
    if (oldest !== undefined && oldest !== '' && (inclusive ? compareTs(m.ts, oldest) < 0 : compareTs(m.ts, oldest) <= 0)) return false;
    if (latest !== undefined && latest !== '' && (inclusive ? compareTs(m.ts, latest) > 0 : compareTs(m.ts, latest) >= 0)) return false;
    return true;
  });
  const cursor = decodeCursor(argString(args, 'cursor'));
  if (cursor === 'invalid') return fail('invalid_cursor');
  const start = cursor === undefined ? 0 : inWindow.findIndex((m) => m.ts === cursor);
  if (start < 0) return fail('invalid_cursor');
  const limit = Math.min(Math.max(argInt(args, 'limit', defaultLimit), 1), 999);
  const slice = inWindow.slice(start, start + limit);
  const next = inWindow[start + limit];
  const includeMetadata = argBool(args, 'include_all_metadata');
  const out: JsonObject = {
    ok: true,
    messages: slice.map((m) => messageOut(ctx, m, includeMetadata)),
    has_more: next !== undefined,
  };
  if (next !== undefined) out['response_metadata'] = { next_cursor: encodeCursor(next.ts) };
  return out;
}

const history: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'));
  if (typeof channel === 'string') return fail(channel);
  const result = page(ctx, ctx.ws.messages.topLevel(channel.id), 100);
  if (result['ok'] !== true) return result;
  const extra: JsonObject = { pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 };
  for (const key of ['oldest', 'latest']) {
    const v = argString(ctx.args, key);
    if (v !== undefined) extra[key] = v;
  }
  return { ...result, ...extra };
};

const replies: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'));
  if (typeof channel === 'string') return fail(channel);
  const thread = ctx.ws.messages.thread(channel.id, argString(ctx.args, 'ts') ?? '');
  if (!thread) return fail('thread_not_found');
  return page(ctx, thread, 1000);
};

const info: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'));
  if (channel === 'channel_not_found') return fail(channel);
  // Public channels are visible to the bot without joining; only posting and reading history need membership.
  const c = typeof channel === 'string' ? ctx.ws.directory.channels.get(argString(ctx.args, 'channel') ?? '') : channel;
  if (!c) return fail('channel_not_found');
  return { ok: true, channel: ctx.ws.directory.channelInfo(c) as JsonObject };
};

const join: MethodHandler = (ctx) => {
  const c = ctx.ws.directory.channels.get(argString(ctx.args, 'channel') ?? '');
  if (!c || (c.is_private && !c.botMember)) return fail('channel_not_found');
  if (c.is_im || c.is_private) return fail('method_not_supported_for_channel_type');
  const already = c.botMember;
  c.botMember = true;
  const out: JsonObject = { ok: true, channel: ctx.ws.directory.channelInfo(c) as JsonObject };
  if (already) Object.assign(out, { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } });
  return out;
};

const open: MethodHandler = (ctx) => {
  const { args, ws } = ctx;
  const channelArg = argString(args, 'channel');
  if (channelArg !== undefined && channelArg !== '') {
    const c = ws.directory.channels.get(channelArg);
    if (!c?.is_im) return fail('channel_not_found');
    return { ok: true, no_op: true, already_open: true, channel: { id: c.id } };
  }
  const users = (argString(args, 'users') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (users.length === 0) return fail('users_list_not_supplied');
  if (users.length > 1) return fail('not_implemented', { detail: 'the fake supports 1:1 IMs only' });
  const user = users[0] ?? '';
  if (!ws.directory.users.has(user)) return fail('user_not_found');
  const { channel, alreadyOpen } = ws.directory.openIm(user);
  const body: JsonObject = argBool(args, 'return_im') ? (ws.directory.channelInfo(channel) as JsonObject) : { id: channel.id };
  return alreadyOpen ? { ok: true, no_op: true, already_open: true, channel: body } : { ok: true, channel: body };
};

/** Public channels (the types the app asks for and its scopes allow), paged by an opaque cursor. */
const list: MethodHandler = (ctx) => {
  const types = (argString(ctx.args, 'types') ?? 'public_channel').split(',').map((t) => t.trim());
  const channels = [...ctx.ws.directory.channels.values()].filter(
    (c) => !c.is_im && ((types.includes('public_channel') && !c.is_private) || (types.includes('private_channel') && c.is_private && c.botMember)),
  );
  const cursor = decodeCursor(argString(ctx.args, 'cursor'));
  if (cursor === 'invalid') return fail('invalid_cursor');
  const start = cursor === undefined ? 0 : channels.findIndex((c) => c.id === cursor);
  if (start < 0) return fail('invalid_cursor');
  const limit = Math.min(Math.max(argInt(ctx.args, 'limit', 100), 1), 1000);
  const next = channels[start + limit];
  return {
    ok: true,
    channels: channels.slice(start, start + limit).map((c) => ctx.ws.directory.channelInfo(c) as JsonObject),
    response_metadata: { next_cursor: next ? encodeCursor(next.id) : '' },
  };
};

export const conversationsMethods: Record<string, MethodHandler> = {
  'conversations.list': list,
  'conversations.history': history,
  'conversations.replies': replies,
  'conversations.info': info,
  'conversations.join': join,
  'conversations.open': open,
};
