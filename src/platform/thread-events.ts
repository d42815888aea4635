/**
 * Message events reduced to what follows a thread: a person's reply, an edit, a deletion. Comments
 * follow an image's thread with them; sharing tells a requester about replies in their request's thread.
 */

export type ThreadEvent =
  | { kind: 'reply'; channel: string; ts: string; threadTs: string; user: string; text?: string; hasFiles: boolean }
  | { kind: 'edit'; channel: string; ts: string; text?: string; hasFiles: boolean }
  | { kind: 'delete'; channel: string; ts: string };

/** The parts of a Slack message event we read (Bolt's union type is wider than this). */
export interface MessageEventShape {
  subtype?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  files?: unknown[];
  deleted_ts?: string;
  message?: { ts: string; text?: string; bot_id?: string; subtype?: string; files?: unknown[] };
}

const REPLY_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/** A message event → what a thread follower needs, or null for everything else (bots, the app itself, other messages). */
export function toThreadEvent(e: MessageEventShape, botUserId: string): ThreadEvent | null {
  if (e.subtype === 'message_deleted') return e.deleted_ts ? { kind: 'delete', channel: e.channel, ts: e.deleted_ts } : null;
  if (e.subtype === 'message_changed') {
    const m = e.message;
    if (!m || m.bot_id || m.subtype === 'bot_message') return null;
    return { kind: 'edit', channel: e.channel, ts: m.ts, text: m.text, hasFiles: Boolean(m.files?.length) };
  }
  if (!REPLY_SUBTYPES.has(e.subtype) || e.bot_id || !e.user || e.user === botUserId) return null;
  if (!e.thread_ts || e.thread_ts === e.ts) return null;
  return { kind: 'reply', channel: e.channel, ts: e.ts, threadTs: e.thread_ts, user: e.user, text: e.text, hasFiles: Boolean(e.files?.length) };
}
