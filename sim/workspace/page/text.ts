import { h, type Child } from './dom.ts';
import { emoji, withEmoji } from './emoji.ts';
import { parseMrkdwn, type MdNode } from './mrkdwn.ts';
import { formatSlackDate } from './slack-date.ts';

/** Text objects (mrkdwn, plain_text) and rich_text as DOM. Text only ever becomes text nodes. */

export interface TextContext {
  userName(id: string): string;
  channelName(id: string): string;
  /** The reader's time zone: Slack renders dates in it. */
  tz: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function textObject(obj: unknown, ctx: TextContext): Child[] {
  if (!isObj(obj)) return [];
  if (obj['type'] === 'mrkdwn') return mrkdwn(str(obj['text']), ctx);
  return [obj['emoji'] === false ? str(obj['text']) : withEmoji(str(obj['text']))];
}

export function mrkdwn(text: string, ctx: TextContext): Child[] {
  return parseMrkdwn(text).map((n) => mdNode(n, ctx));
}

function link(url: string, children: Child[]): HTMLElement {
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, ...children);
}

function mdNode(n: MdNode, ctx: TextContext): Child {
  const kids = (c: MdNode[]) => c.map((x) => mdNode(x, ctx));
  switch (n.t) {
    case 'text':
      return n.v;
    case 'br':
      return h('br');
    case 'b':
      return h('b', {}, kids(n.c));
    case 'i':
      return h('i', {}, kids(n.c));
    case 's':
      return h('s', {}, kids(n.c));
    case 'code':
      return h('code', {}, n.v);
    case 'pre':
      return h('pre', {}, n.v);
    case 'quote':
      return h('blockquote', {}, kids(n.c));
    case 'link':
      return link(n.url, kids(n.c));
    case 'user':
      return h('span', { class: 'mention', 'data-user': n.id }, `@${ctx.userName(n.id)}`);
    case 'channel':
      return h('span', { class: 'mention' }, `#${n.name ?? ctx.channelName(n.id)}`);
    case 'broadcast':
      return h('span', { class: 'mention broadcast' }, `@${n.name}`);
    case 'usergroup':
      return h('span', { class: 'mention' }, n.name ?? `@${n.id}`);
    case 'date': {
      const shown = Number.isFinite(n.epoch) ? formatSlackDate(n.epoch, n.format, ctx.tz) : n.fallback;
      return n.link ? link(n.link, [shown]) : h('span', { class: 'date', title: n.fallback }, shown);
    }
    case 'emoji':
      return h('span', { class: 'emoji', title: `:${n.name}:` }, n.v);
  }
}

/** rich_text: sections, lists, quotes and preformatted runs of styled elements. */
export function richText(block: Obj, ctx: TextContext): HTMLElement {
  const parts = Array.isArray(block['elements']) ? block['elements'] : [];
  return h(
    'div',
    { class: 'rich-text' },
    parts.map((p) => richPart(p, ctx)),
  );
}

function richPart(p: unknown, ctx: TextContext): Child {
  if (!isObj(p)) return null;
  const inner = () => (Array.isArray(p['elements']) ? p['elements'] : []).map((e) => richInline(e, ctx));
  switch (p['type']) {
    case 'rich_text_section':
      return h('div', { class: 'rt-section' }, inner());
    case 'rich_text_quote':
      return h('blockquote', {}, inner());
    case 'rich_text_preformatted':
      return h('pre', {}, inner());
    case 'rich_text_list': {
      const items = (Array.isArray(p['elements']) ? p['elements'] : []).map((s) => h('li', {}, richPart(s, ctx)));
      const list = p['style'] === 'ordered' ? h('ol', {}, items) : h('ul', {}, items);
      list.style.marginLeft = `${Number(p['indent'] ?? 0) * 16}px`;
      return list;
    }
    default:
      return unsupportedInline(str(p['type']));
  }
}

function richInline(e: unknown, ctx: TextContext): Child {
  if (!isObj(e)) return null;
  const style = isObj(e['style']) ? e['style'] : {};
  const styled = (node: Child): Child => {
    let out = node;
    if (style['code']) out = h('code', {}, out);
    if (style['bold']) out = h('b', {}, out);
    if (style['italic']) out = h('i', {}, out);
    if (style['strike']) out = h('s', {}, out);
    return out;
  };
  switch (e['type']) {
    case 'text':
      return styled(withNewlines(str(e['text'])));
    case 'link': {
      const url = str(e['url']);
      const label = str(e['text']) || url;
      return styled(/^(https?:|mailto:)/i.test(url) ? link(url, [label]) : label);
    }
    case 'user':
      return h('span', { class: 'mention', 'data-user': str(e['user_id']) }, `@${ctx.userName(str(e['user_id']))}`);
    case 'channel':
      return h('span', { class: 'mention' }, `#${ctx.channelName(str(e['channel_id']))}`);
    case 'usergroup':
      return h('span', { class: 'mention' }, `@${str(e['usergroup_id'])}`);
    case 'broadcast':
      return h('span', { class: 'mention broadcast' }, `@${str(e['range'])}`);
    case 'emoji': {
      const name = str(e['name']);
      const code = str(e['unicode']);
      const char = code ? String.fromCodePoint(...code.split('-').map((c) => parseInt(c, 16))) : emoji(name);
      return h('span', { class: 'emoji', title: `:${name}:` }, char ?? `:${name}:`);
    }
    case 'date':
      return formatSlackDate(Number(e['timestamp']), str(e['format']) || '{date_short_pretty} {time}', ctx.tz);
    case 'color':
      return h('code', {}, str(e['value']));
    default:
      return unsupportedInline(str(e['type']));
  }
}

function withNewlines(text: string): Child[] {
  return text.split('\n').flatMap((line, i) => (i === 0 ? [line] : [h('br'), line]));
}

function unsupportedInline(type: string): HTMLElement {
  return h('span', { class: 'unsupported inline', 'data-unsupported': type }, `unsupported element: ${type || '(no type)'}`);
}
