import type { StoredEphemeral, StoredMessage } from '../../slack/types.ts';
import type { Snapshot } from '../snapshot.ts';
import { renderBlocks } from './blocks.ts';
import { avatar, h } from './dom.ts';
import { isObj, list, str, type BlockContext, type Surface } from './surface.ts';
import { mrkdwn, textObject, type TextContext } from './text.ts';

/** Messages as Slack lists them: author, time, blocks (or text), thread summary; ephemerals marked. */

export type Shown = { kind: 'message'; m: StoredMessage } | { kind: 'ephemeral'; m: StoredEphemeral };

export interface MessageDeps {
  snap: Snapshot;
  text: TextContext;
  blockContext(surface: Surface, blocks: unknown[]): BlockContext;
  openThread(channel: string, ts: string): void;
  dismiss(ts: string): void;
}

const tsNum = (ts: string) => Number(ts);

/** Top-level messages of a channel with the user's ephemerals, oldest first. */
export function channelTimeline(snap: Snapshot, channel: string): Shown[] {
  const messages: Shown[] = (snap.messages[channel] ?? [])
    .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
    .map((m) => ({ kind: 'message', m }));
  const ephemerals: Shown[] = snap.ephemerals.filter((e) => e.channel === channel && !e.thread_ts).map((m) => ({ kind: 'ephemeral', m }));
  return [...messages, ...ephemerals].sort((a, b) => tsNum(a.m.ts) - tsNum(b.m.ts));
}

/** A thread: parent, replies, and ephemerals posted into it. */
export function threadTimeline(snap: Snapshot, channel: string, parentTs: string): Shown[] {
  const messages: Shown[] = (snap.messages[channel] ?? []).filter((m) => m.ts === parentTs || m.thread_ts === parentTs).map((m) => ({ kind: 'message', m }));
  const ephemerals: Shown[] = snap.ephemerals.filter((e) => e.channel === channel && e.thread_ts === parentTs).map((m) => ({ kind: 'ephemeral', m }));
  return [...messages, ...ephemerals].sort((a, b) => tsNum(a.m.ts) - tsNum(b.m.ts));
}

export function renderMessage(shown: Shown, deps: MessageDeps, opts: { inThread?: boolean } = {}): HTMLElement {
  const { snap } = deps;
  const m = shown.m;
  const authorId = shown.kind === 'ephemeral' ? snap.bot.userId : ((m as StoredMessage).user ?? snap.bot.userId);
  const isBot = shown.kind === 'ephemeral' || Boolean((m as StoredMessage).bot_id) || authorId === snap.bot.userId;
  const name = isBot ? snap.bot.name : deps.text.userName(authorId);
  const surface: Surface = shown.kind === 'ephemeral' ? { channel: m.channel, ephemeralTs: m.ts } : { channel: m.channel, messageTs: m.ts };
  const blocks = list(m.blocks);
  const content = blocks.length ? renderBlocks(blocks, deps.blockContext(surface, blocks)) : h('div', { class: 'message-text' }, mrkdwn(m.text, deps.text));
  const stored = shown.kind === 'message' ? shown.m : undefined;
  const replies = stored?.reply_count && !opts.inThread ? threadSummary(stored, deps) : null;
  const when = new Date(tsNum(m.ts) * 1000).toLocaleTimeString('en-US', { timeZone: deps.text.tz, hour: 'numeric', minute: '2-digit' });
  return h(
    'article',
    { class: `message${shown.kind === 'ephemeral' ? ' ephemeral' : ''}`, 'data-ts': m.ts, 'data-channel': m.channel, 'data-kind': shown.kind },
    stored && !opts.inThread ? replyButton(stored, deps) : null,
    shown.kind === 'ephemeral' ? ephemeralNote(m.ts, deps) : null,
    h(
      'div',
      { class: 'message-row' },
      avatar(authorId, name, isBot),
      h(
        'div',
        { class: 'message-main' },
        h(
          'div',
          { class: 'meta' },
          h('span', { class: 'author' }, name),
          isBot ? h('span', { class: 'app-badge' }, 'APP') : null,
          h('time', {}, when),
          stored?.edited ? h('span', { class: 'edited' }, '(edited)') : null,
        ),
        content,
        list(m.attachments).map((a) => attachment(a, deps, surface)),
        replies,
      ),
    ),
  );
}

/** The hover action that starts (or opens) a thread on a message. */
function replyButton(m: StoredMessage, deps: MessageDeps): HTMLElement {
  const b = h('button', { type: 'button', class: 'message-action', 'aria-label': 'Reply in thread', title: 'Reply in thread' }, '💬');
  b.addEventListener('click', () => deps.openThread(m.channel, m.ts));
  return b;
}

function ephemeralNote(ts: string, deps: MessageDeps): HTMLElement {
  const dismiss = h('button', { type: 'button', class: 'link-button' }, 'Dismiss message');
  dismiss.addEventListener('click', () => deps.dismiss(ts));
  return h('div', { class: 'ephemeral-note' }, '👁 Only visible to you · ', dismiss);
}

function threadSummary(m: StoredMessage, deps: MessageDeps): HTMLElement {
  const n = m.reply_count ?? 0;
  const link = h('button', { type: 'button', class: 'thread-link', 'data-thread': m.ts }, `${n} ${n === 1 ? 'reply' : 'replies'}`);
  link.addEventListener('click', () => deps.openThread(m.channel, m.ts));
  return h(
    'div',
    { class: 'thread-summary' },
    (m.reply_users ?? []).slice(0, 4).map((u) => avatar(u, deps.text.userName(u), u === deps.snap.bot.userId)),
    link,
  );
}

/** Legacy attachments: a coloured bar with their text, fields and blocks. */
function attachment(a: unknown, deps: MessageDeps, surface: Surface): HTMLElement | null {
  if (!isObj(a)) return null;
  const bar = h('div', { class: 'attachment' });
  const color = str(a['color']);
  bar.style.borderLeftColor =
    color === 'good'
      ? '#2eb67d'
      : color === 'danger'
        ? '#e01e5a'
        : color === 'warning'
          ? '#ecb22e'
          : /^#?[0-9a-f]{6}$/i.test(color)
            ? `#${color.replace('#', '')}`
            : '#ddd';
  bar.append(
    ...[a['pretext'], a['title'], a['text']].filter((t) => typeof t === 'string').map((t) => h('div', {}, mrkdwn(t as string, deps.text))),
    ...list(a['fields'])
      .filter(isObj)
      .map((f) => h('div', { class: 'field' }, h('b', {}, str(f['title'])), h('div', {}, mrkdwn(str(f['value']), deps.text)))),
  );
  const blocks = list(a['blocks']);
  if (blocks.length) bar.append(renderBlocks(blocks, deps.blockContext(surface, blocks)));
  if (isObj(a['footer'])) bar.append(h('div', { class: 'hint' }, textObject(a['footer'], deps.text)));
  return bar;
}
