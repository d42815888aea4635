import { emoji } from './emoji.ts';

/**
 * Slack mrkdwn → a small syntax tree (pure: no DOM, so it is unit-tested in Node). Covers what Slack
 * renders: *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes, <url|label>, <@U…>, <#C…>,
 * <!here>, <!subteam^…>, <!date^…|fallback>, :emoji:, and the &lt; &gt; &amp; escapes.
 */

export type MdNode =
  | { t: 'text'; v: string }
  | { t: 'br' }
  | { t: 'b' | 'i' | 's'; c: MdNode[] }
  | { t: 'code'; v: string }
  | { t: 'pre'; v: string }
  | { t: 'quote'; c: MdNode[] }
  | { t: 'link'; url: string; c: MdNode[] }
  | { t: 'user'; id: string }
  | { t: 'channel'; id: string; name?: string }
  | { t: 'broadcast'; name: string }
  | { t: 'usergroup'; id: string; name?: string }
  | { t: 'date'; epoch: number; format: string; link?: string; fallback: string }
  | { t: 'emoji'; name: string; v: string };

/** Placeholders for atoms (code spans, <…> tokens) while emphasis is parsed: Unicode private use. */
const ATOM_BASE = 0xe000;
const ATOM = /[\ue000-\uf8ff]/;
const SAFE_URL = /^(https?:|mailto:)/i;

export function parseMrkdwn(text: string): MdNode[] {
  const out: MdNode[] = [];
  let last = 0;
  for (const m of text.matchAll(/```([\s\S]*?)```/g)) {
    out.push(...quotesAndLines(text.slice(last, m.index)));
    out.push({ t: 'pre', v: decode((m[1] ?? '').replace(/^\n/, '')) });
    last = m.index + m[0].length;
  }
  out.push(...quotesAndLines(text.slice(last)));
  return out;
}

/** Lines starting with > (or its escape &gt;) form a quote. */
function quotesAndLines(text: string): MdNode[] {
  if (text === '') return [];
  const out: MdNode[] = [];
  let run: string[] = [];
  let quoting = false;
  const flush = () => {
    if (run.length === 0) return;
    const inner = inline(run.join('\n'));
    out.push(...(quoting ? [{ t: 'quote' as const, c: inner }] : inner));
    run = [];
  };
  for (const line of text.split('\n')) {
    const quoted = /^(>|&gt;) ?/.exec(line);
    if (Boolean(quoted) !== quoting) {
      flush();
      quoting = Boolean(quoted);
    }
    run.push(quoted ? line.slice(quoted[0].length) : line);
  }
  flush();
  return out;
}

function inline(text: string): MdNode[] {
  const atoms: MdNode[] = [];
  const hold = (node: MdNode) => {
    atoms.push(node);
    return String.fromCharCode(ATOM_BASE + atoms.length - 1);
  };
  let s = text.replace(new RegExp(ATOM.source, 'g'), '');
  s = s.replace(/`([^`\n]+)`/g, (_w, code: string) => hold({ t: 'code', v: decode(code) }));
  s = s.replace(/<([^<>\n]+)>/g, (whole, inner: string) => {
    const node = angle(inner);
    return node ? hold(node) : whole;
  });
  return emphasis(s, atoms);
}

const MARKS: Array<[string, 'b' | 'i' | 's']> = [
  ['*', 'b'],
  ['_', 'i'],
  ['~', 's'],
];
const MARK_RES = MARKS.map(([c, t]) => {
  const e = c === '*' ? '\\*' : c; // in a u-flag regex only syntax characters may be escaped
  return { t, re: new RegExp(`(?<![\\p{L}\\p{N}${e}])${e}(?![\\s${e}])([^${e}\\n]*?[^\\s${e}])${e}(?![\\p{L}\\p{N}${e}])`, 'u') };
});

function emphasis(s: string, atoms: MdNode[]): MdNode[] {
  let best: { t: 'b' | 'i' | 's'; m: RegExpExecArray } | undefined;
  for (const { t, re } of MARK_RES) {
    const m = re.exec(s);
    if (m && (!best || m.index < best.m.index)) best = { t, m };
  }
  if (!best) return textNodes(s, atoms);
  const { m, t } = best;
  return [...textNodes(s.slice(0, m.index), atoms), { t, c: emphasis(m[1] ?? '', atoms) }, ...emphasis(s.slice(m.index + m[0].length), atoms)];
}

function textNodes(s: string, atoms: MdNode[]): MdNode[] {
  const out: MdNode[] = [];
  for (const piece of s.split(/([\ue000-\uf8ff]|\n)/)) {
    if (piece === '') continue;
    if (piece === '\n') out.push({ t: 'br' });
    else if (ATOM.test(piece)) out.push(atoms[piece.charCodeAt(0) - ATOM_BASE] ?? { t: 'text', v: '' });
    else out.push(...emojiNodes(piece));
  }
  return out;
}

function emojiNodes(s: string): MdNode[] {
  const out: MdNode[] = [];
  let last = 0;
  for (const m of s.matchAll(/:([a-z0-9_+-]+):/g)) {
    const v = emoji(m[1] ?? '');
    if (!v) continue;
    if (m.index > last) out.push({ t: 'text', v: decode(s.slice(last, m.index)) });
    out.push({ t: 'emoji', name: m[1] ?? '', v });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push({ t: 'text', v: decode(s.slice(last)) });
  return out;
}

/** The inside of <…>: a mention, a special command, or a link. Anything else stays literal text. */
function angle(inner: string): MdNode | undefined {
  const [head = '', ...rest] = inner.split('|');
  const label = rest.join('|');
  if (head.startsWith('@')) return /^@[UW][A-Z0-9_]+$/.test(head) ? { t: 'user', id: head.slice(1) } : undefined;
  if (head.startsWith('#')) return { t: 'channel', id: head.slice(1), ...(label ? { name: decode(label) } : {}) };
  if (head.startsWith('!date^')) {
    const [, epoch = '', format = '', link] = head.split('^');
    return { t: 'date', epoch: Number(epoch), format, fallback: decode(label), ...(link && SAFE_URL.test(link) ? { link } : {}) };
  }
  if (head.startsWith('!subteam^')) return { t: 'usergroup', id: head.slice('!subteam^'.length), ...(label ? { name: decode(label) } : {}) };
  if (/^!(here|channel|everyone)$/.test(head)) return { t: 'broadcast', name: head.slice(1) };
  if (!SAFE_URL.test(head)) return undefined;
  return { t: 'link', url: decode(head), c: label ? inline(label) : [{ t: 'text', v: decode(head) }] };
}

export function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
