import type { EventEmitter } from 'node:events';
import { compareTs, type TsGenerator } from '../ids.ts';
import type { FakeSlackEvents, JsonObject, MessageMetadata, StoredEphemeral, StoredMessage } from '../types.ts';

export interface NewMessage {
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  subtype?: string;
  blocks?: JsonObject[];
  attachments?: JsonObject[];
  thread_ts?: string;
  metadata?: MessageMetadata;
  files?: JsonObject[];
  username?: string;
  icons?: StoredMessage['icons'];
}

export type MessageEdit = Partial<Pick<StoredMessage, 'text' | 'blocks' | 'attachments' | 'metadata'>>;

/** Channel messages (threads included) and ephemerals, in the order Slack keeps them. */
export class MessageStore {
  /** channel id → messages, oldest first (top-level and replies together). */
  readonly #byChannel = new Map<string, StoredMessage[]>();
  readonly ephemerals: StoredEphemeral[] = [];
  readonly #ts: TsGenerator;
  readonly #events: EventEmitter<FakeSlackEvents>;

  constructor(ts: TsGenerator, events: EventEmitter<FakeSlackEvents>) {
    this.#ts = ts;
    this.#events = events;
  }

  nextTs(): string {
    return this.#ts.next();
  }

  /** Every message of a channel, oldest first, replies included. */
  all(channel: string): StoredMessage[] {
    return this.#byChannel.get(channel) ?? [];
  }

  find(channel: string, ts: string): StoredMessage | undefined {
    return this.all(channel).find((m) => m.ts === ts);
  }

  /** Post a message; a thread_ts pointing at a reply lands in that reply's thread, as in Slack. */
  post(channel: string, msg: NewMessage): StoredMessage | 'thread_not_found' {
    let threadTs = msg.thread_ts;
    let parent: StoredMessage | undefined;
    if (threadTs !== undefined) {
      parent = this.find(channel, threadTs);
      if (parent?.thread_ts !== undefined && parent.thread_ts !== parent.ts) parent = this.find(channel, parent.thread_ts);
      if (!parent) return 'thread_not_found';
      threadTs = parent.ts;
    }
    const stored: StoredMessage = { type: 'message', channel, ts: this.#ts.next(), ...dropUndefined(msg) };
    if (threadTs !== undefined) stored.thread_ts = threadTs;
    const list = this.#byChannel.get(channel) ?? [];
    list.push(stored);
    this.#byChannel.set(channel, list);
    if (parent) noteReply(parent, stored);
    this.#events.emit('message_posted', stored);
    return stored;
  }

  update(channel: string, ts: string, edit: MessageEdit, editor: string): StoredMessage | undefined {
    const current = this.find(channel, ts);
    if (!current) return undefined;
    const before = structuredClone(current);
    Object.assign(current, dropUndefined(edit));
    current.edited = { user: editor, ts: this.#ts.next() };
    this.#events.emit('message_updated', current, before);
    return current;
  }

  /** An app's unfurl of one URL: an attachment of the message (replaced when the app unfurls it again), not an edit. */
  unfurl(channel: string, ts: string, url: string, blocks: JsonObject[]): StoredMessage | undefined {
    const current = this.find(channel, ts);
    if (!current) return undefined;
    const before = structuredClone(current);
    const others = (current.attachments ?? []).filter((a) => a['app_unfurl_url'] !== url);
    current.attachments = [...others, { id: others.length + 1, app_unfurl_url: url, from_url: url, is_app_unfurl: true, blocks }];
    this.#events.emit('message_updated', current, before);
    return current;
  }

  delete(channel: string, ts: string): StoredMessage | undefined {
    const list = this.all(channel);
    const index = list.findIndex((m) => m.ts === ts);
    if (index < 0) return undefined;
    const [removed] = list.splice(index, 1);
    if (!removed) return undefined;
    if (removed.thread_ts !== undefined && removed.thread_ts !== removed.ts) {
      const parent = this.find(channel, removed.thread_ts);
      if (parent) recountReplies(parent, list);
    }
    this.#events.emit('message_deleted', removed);
    return removed;
  }

  /** Top-level messages (thread parents and plain messages), newest first, as conversations.history returns. */
  topLevel(channel: string): StoredMessage[] {
    return this.all(channel)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
      .sort((a, b) => compareTs(b.ts, a.ts));
  }

  /** The parent followed by its replies, oldest first, as conversations.replies returns. */
  thread(channel: string, ts: string): StoredMessage[] | undefined {
    const message = this.find(channel, ts);
    if (!message) return undefined;
    const parentTs = message.thread_ts ?? message.ts;
    return this.all(channel)
      .filter((m) => m.ts === parentTs || m.thread_ts === parentTs)
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  addEphemeral(e: Omit<StoredEphemeral, 'ts'> & { ts?: string }): StoredEphemeral {
    const stored: StoredEphemeral = { ...dropUndefined(e), ts: e.ts ?? this.#ts.next() };
    this.ephemerals.push(stored);
    this.#events.emit('ephemeral_posted', stored);
    return stored;
  }

  /** Every channel's messages (not ephemerals: Slack forgets those on reload too). */
  snapshot(): Record<string, StoredMessage[]> {
    return Object.fromEntries(this.#byChannel);
  }

  restore(saved: Record<string, StoredMessage[]>): void {
    for (const [channel, list] of Object.entries(saved)) this.#byChannel.set(channel, list);
  }

  clear(): void {
    this.#byChannel.clear();
    this.ephemerals.length = 0;
  }
}

function noteReply(parent: StoredMessage, reply: StoredMessage): void {
  parent.thread_ts = parent.ts;
  parent.reply_count = (parent.reply_count ?? 0) + 1;
  const author = reply.user ?? reply.bot_id;
  const users = new Set(parent.reply_users ?? []);
  if (author !== undefined) users.add(author);
  parent.reply_users = [...users];
  parent.latest_reply = reply.ts;
}

function recountReplies(parent: StoredMessage, list: StoredMessage[]): void {
  const replies = list.filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
  parent.reply_count = replies.length;
  parent.reply_users = [...new Set(replies.map((r) => r.user ?? r.bot_id ?? ''))].filter(Boolean);
  parent.latest_reply = replies.at(-1)?.ts ?? parent.ts;
}

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
