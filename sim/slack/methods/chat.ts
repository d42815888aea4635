import { createHash } from 'node:crypto';
import { checkMessage } from '../block-kit-limits.ts';
import { argString } from '../http-body.ts';
import { withBlockIds } from '../store/block-ids.ts';
import type { MessageEdit } from '../store/messages.ts';
import type { Args, JsonObject, MessageMetadata, StoredMessage } from '../types.ts';
import { accessChannel, fail, messageOut, validationFailure, type MethodContext, type MethodHandler } from './context.ts';

interface Content {
  text: string;
  blocks?: JsonObject[];
  attachments?: JsonObject[];
}

/** Message content from args (text, blocks, attachments), or Slack's refusal of it. */
export function content(args: Args): { content: Content } | { refusal: JsonObject } {
  const problem = checkMessage({ text: args['text'], blocks: args['blocks'], attachments: args['attachments'] });
  if (problem) return { refusal: validationFailure(problem, true) };
  const out: Content = { text: argString(args, 'text') ?? '' };
  if (Array.isArray(args['blocks'])) out.blocks = withBlockIds(args['blocks'] as JsonObject[]);
  if (Array.isArray(args['attachments'])) out.attachments = args['attachments'] as JsonObject[];
  return { content: out };
}

/** metadata = { event_type, event_payload }; anything else is refused. */
function metadata(args: Args): MessageMetadata | undefined | 'invalid' {
  const m = args['metadata'];
  if (m === undefined || m === null || m === '') return undefined;
  if (typeof m !== 'object' || Array.isArray(m)) return 'invalid';
  const { event_type, event_payload } = m as Record<string, unknown>;
  if (typeof event_type !== 'string' || typeof event_payload !== 'object' || event_payload === null) return 'invalid';
  return { event_type, event_payload: event_payload as JsonObject };
}

/**
 * A bot posting under another name and picture (needs chat:write.customize): username, and icon_emoji
 * or else icon_url, come back on the message as `username` and `icons`. as_user=true ignores them.
 */
function customAuthor(args: Args): { username?: string; icons?: StoredMessage['icons'] } {
  if (args['as_user'] === true || args['as_user'] === 'true') return {};
  const username = argString(args, 'username');
  const emoji = argString(args, 'icon_emoji');
  const url = argString(args, 'icon_url');
  const icons = emoji ? { emoji } : url ? { image_48: url } : undefined;
  return { ...(username ? { username } : {}), ...(icons ? { icons } : {}) };
}

const postMessage: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'), { userMeansIm: true, write: true });
  if (typeof channel === 'string') return fail(channel);
  const checked = content(ctx.args);
  if ('refusal' in checked) return checked.refusal;
  const body = checked.content;
  const meta = metadata(ctx.args);
  if (meta === 'invalid') return fail('invalid_metadata_format');
  const id = ctx.ws.identity;
  const posted = ctx.ws.messages.post(channel.id, {
    ...body,
    user: id.botUserId,
    bot_id: id.botId,
    app_id: id.appId,
    team: id.teamId,
    thread_ts: argString(ctx.args, 'thread_ts'),
    metadata: meta,
    ...customAuthor(ctx.args),
  });
  if (typeof posted === 'string') return fail(posted);
  return { ok: true, channel: channel.id, ts: posted.ts, message: messageOut(ctx, posted, true) };
};

const update: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'));
  if (typeof channel === 'string') return fail(channel);
  const ts = argString(ctx.args, 'ts') ?? '';
  const current = ctx.ws.messages.find(channel.id, ts);
  if (!current) return fail('message_not_found');
  if (current.bot_id !== ctx.ws.identity.botId) return fail('cant_update_message');
  const args = { ...ctx.args };
  // Without new text or blocks the old ones stay; only judge what is sent.
  if (args['text'] === undefined && args['blocks'] === undefined && args['attachments'] === undefined) args['text'] = current.text;
  const checked = content(args);
  if ('refusal' in checked) return checked.refusal;
  const body = checked.content;
  const meta = metadata(ctx.args);
  if (meta === 'invalid') return fail('invalid_metadata_format');
  const edit: MessageEdit = {};
  if (ctx.args['text'] !== undefined) edit.text = body.text;
  if (body.blocks !== undefined) edit.blocks = body.blocks;
  if (body.attachments !== undefined) edit.attachments = body.attachments;
  if (meta !== undefined) edit.metadata = meta;
  const updated = ctx.ws.messages.update(channel.id, ts, edit, ctx.ws.identity.botUserId);
  if (!updated) return fail('message_not_found');
  const message = messageOut(ctx, updated, false);
  return { ok: true, channel: channel.id, ts, text: updated.text, message };
};

const del: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'));
  if (typeof channel === 'string') return fail(channel);
  const ts = argString(ctx.args, 'ts') ?? '';
  const current = ctx.ws.messages.find(channel.id, ts);
  if (!current) return fail('message_not_found');
  if (current.bot_id !== ctx.ws.identity.botId) return fail('cant_delete_message');
  ctx.ws.messages.delete(channel.id, ts);
  return { ok: true, channel: channel.id, ts };
};

const postEphemeral: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'), { userMeansIm: true, write: true });
  if (typeof channel === 'string') return fail(channel);
  const user = argString(ctx.args, 'user') ?? '';
  if (!ctx.ws.directory.users.has(user)) return fail('user_not_found');
  const checked = content(ctx.args);
  if ('refusal' in checked) return checked.refusal;
  const body = checked.content;
  const stored = ctx.ws.messages.addEphemeral({
    channel: channel.id,
    user,
    ...body,
    thread_ts: argString(ctx.args, 'thread_ts'),
    source: 'chat.postEphemeral',
  });
  return { ok: true, message_ts: stored.ts };
};

const getPermalink: MethodHandler = (ctx) => {
  const channel = accessChannel(ctx, argString(ctx.args, 'channel'));
  if (typeof channel === 'string') return fail(channel);
  const ts = argString(ctx.args, 'message_ts') ?? '';
  const message = ctx.ws.messages.find(channel.id, ts);
  if (!message) return fail('message_not_found');
  return { ok: true, channel: channel.id, permalink: permalink(ctx, channel.id, message.ts, message.thread_ts) };
};

/**
 * chat.unfurl: the app's previews of links in a message, as attachments of it. The message is named
 * by channel + ts, or by the unfurl_id + source of its link_shared event; each URL must be in it.
 */
const unfurl: MethodHandler = (ctx) => {
  const unfurlId = argString(ctx.args, 'unfurl_id');
  const source = argString(ctx.args, 'source');
  if (unfurlId !== undefined && source !== 'composer' && source !== 'conversations_history') return fail('invalid_source');
  const target = unfurlId !== undefined ? parseUnfurlId(unfurlId) : { channel: argString(ctx.args, 'channel'), ts: argString(ctx.args, 'ts') };
  if (!target?.channel) return fail(unfurlId !== undefined ? 'invalid_unfurl_id' : 'missing_channel');
  if (!target.ts) return fail('missing_ts');
  const message = ctx.ws.messages.find(target.channel, target.ts);
  if (!message) return fail('cannot_find_message');
  const unfurls = ctx.args['unfurls'];
  if (typeof unfurls !== 'object' || unfurls === null || Array.isArray(unfurls)) return fail('invalid_unfurls_format');
  for (const [url, preview] of Object.entries(unfurls as Record<string, unknown>)) {
    if (!message.text.includes(url) && !message.text.includes(url.replace(/&/g, '&amp;'))) return fail('cannot_unfurl_url');
    const blocks = (preview as { blocks?: unknown } | null)?.blocks;
    const problem = checkMessage({ blocks });
    if (problem) return validationFailure(problem, true);
    ctx.ws.messages.unfurl(target.channel, target.ts, url, withBlockIds(blocks as JsonObject[]));
  }
  return { ok: true };
};

/** unfurl_id as link_shared carries it: `<channel>.<message ts>.<hash>`. */
export function unfurlIdFor(channel: string, ts: string): string {
  return `${channel}.${ts}.${createHash('sha256').update(`${channel}:${ts}`).digest('hex')}`;
}

function parseUnfurlId(id: string): { channel: string; ts: string } | null {
  const m = /^([A-Z0-9_]+)\.(\d+\.\d+)\.[0-9a-f]+$/.exec(id);
  return m ? { channel: m[1]!, ts: m[2]! } : null;
}

export function permalink(ctx: MethodContext, channel: string, ts: string, threadTs?: string): string {
  const base = `${ctx.baseUrl}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs !== undefined && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': del,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'chat.unfurl': unfurl,
};
