/**
 * The `filter` of Compute list calls: AIP-160 comparisons (`=`, `!=`, `:`, `<`, `>`, `<=`, `>=`; `:*` =
 * "is set"; `*` wildcards in `=`) on nested fields such as `labels.owner`, joined by AND/OR/NOT and
 * parentheses (juxtaposition means AND), plus the regex form `field eq 're'` / `field ne 're'`.
 */
import { invalidField } from './errors.ts';

type Token = { t: 'word' | 'str' | 'op' | '(' | ')'; v: string };
type Node = { k: 'and' | 'or'; a: Node; b: Node } | { k: 'not'; a: Node } | { k: 'cmp'; field: string; op: string; value: string };

const OPS = ['!=', '>=', '<=', '=', ':', '<', '>'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new Error('unterminated string');
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op) {
        out.push({ t: 'op', v: op });
        i += op.length;
        continue;
      }
      let j = i;
      while (j < src.length && !/[\s()]/.test(src[j]!) && !OPS.some((o) => src.startsWith(o, j))) j++;
      out.push({ t: 'word', v: src.slice(i, j) });
      i = j;
    }
  }
  return out;
}

function parse(tokens: Token[]): Node {
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const tok = tokens[pos++];
    if (!tok) throw new Error('unexpected end');
    return tok;
  };
  const isWord = (tok: Token | undefined, w: string) => tok?.t === 'word' && tok.v === w;

  function orExpr(): Node {
    let left = andExpr();
    while (isWord(peek(), 'OR')) {
      pos++;
      left = { k: 'or', a: left, b: andExpr() };
    }
    return left;
  }
  function andExpr(): Node {
    let left = unary();
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === ')' || isWord(tok, 'OR')) return left;
      if (isWord(tok, 'AND')) pos++;
      left = { k: 'and', a: left, b: unary() };
    }
  }
  function unary(): Node {
    const tok = next();
    if (tok.t === 'word' && (tok.v === 'NOT' || tok.v === '-')) return { k: 'not', a: unary() };
    if (tok.t === '(') {
      const inner = orExpr();
      if (next().t !== ')') throw new Error('expected )');
      return inner;
    }
    if (tok.t !== 'word') throw new Error('expected a field name');
    const opTok = next();
    const op = opTok.t === 'op' ? opTok.v : opTok.t === 'word' && (opTok.v === 'eq' || opTok.v === 'ne') ? opTok.v : null;
    if (!op) throw new Error('expected an operator');
    const val = next();
    if (val.t !== 'word' && val.t !== 'str') throw new Error('expected a value');
    return { k: 'cmp', field: tok.v, op, value: val.v };
  }

  const node = orExpr();
  if (pos !== tokens.length) throw new Error('trailing tokens');
  return node;
}

function lookup(obj: unknown, field: string): unknown {
  let cur: unknown = obj;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function compare(actual: unknown, op: string, value: string): boolean {
  const present = actual !== undefined && actual !== null;
  if (op === ':' && value === '*') return present;
  if (op === '!=' || op === 'ne') return !compare(actual, op === '!=' ? '=' : 'eq', value);
  if (!present) return false;
  const s = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  switch (op) {
    case '=':
      return value.includes('*') ? glob(value).test(s) : s === value;
    case ':':
      return typeof actual === 'string' ? (value.includes('*') ? glob(value).test(s) : s.includes(value)) : s === value;
    case 'eq':
      return new RegExp(`^(?:${value})$`).test(s);
    default: {
      const [x, y] = [Number(s), Number(value)];
      const cmp = Number.isFinite(x) && Number.isFinite(y) ? x - y : s < value ? -1 : s > value ? 1 : 0;
      return op === '<' ? cmp < 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : cmp >= 0;
    }
  }
}

function evaluate(node: Node, obj: unknown): boolean {
  switch (node.k) {
    case 'and':
      return evaluate(node.a, obj) && evaluate(node.b, obj);
    case 'or':
      return evaluate(node.a, obj) || evaluate(node.b, obj);
    case 'not':
      return !evaluate(node.a, obj);
    case 'cmp':
      return compare(lookup(obj, node.field), node.op, node.value);
  }
}

/** Compile a filter into a predicate; an empty filter matches everything; a bad one is GCE's 400. */
export function compileFilter(filter: string | null): (obj: unknown) => boolean {
  if (!filter || !filter.trim()) return () => true;
  try {
    const node = parse(tokenize(filter));
    if (node.k === 'cmp' && node.op === 'eq') new RegExp(node.value); // reject a bad regex now
    return (obj) => evaluate(node, obj);
  } catch {
    throw invalidField('filter', filter, 'Invalid list filter expression.');
  }
}
