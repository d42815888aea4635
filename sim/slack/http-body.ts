import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Args } from './types.ts';

/** Form fields the Web API takes as JSON-encoded strings (WebClient encodes objects this way). */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files', 'user_auth_blocks', 'unfurls']);

export interface ParsedBody {
  args: Args;
  /** A JSON field that did not parse: Slack answers invalid_blocks_format / invalid_arguments for it. */
  badJsonField?: string;
  raw: Buffer;
  contentType: string;
}

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parse a Web API request body: form-encoded (WebClient's default), JSON, multipart, plus the query string. */
export async function parseApiBody(req: IncomingMessage, url: URL): Promise<ParsedBody> {
  const raw = await readRaw(req);
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  const args: Args = Object.fromEntries(url.searchParams);
  if (contentType.startsWith('application/json')) {
    const text = raw.toString('utf8');
    if (text.trim() !== '') {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) Object.assign(args, parsed);
    }
  } else if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form) args[key] = typeof value === 'string' ? value : `<file ${value.size} bytes>`;
  } else if (raw.length > 0) {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  }
  let badJsonField: string | undefined;
  for (const key of JSON_FIELDS) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      badJsonField ??= key;
    }
  }
  return badJsonField === undefined ? { args, raw, contentType } : { args, raw, contentType, badJsonField };
}

/** Form values arrive as strings; JSON bodies carry real types. These read either. */
export function argString(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function argBool(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function argInt(args: Args, key: string, fallback: number): number {
  const v = Number(args[key]);
  return Number.isFinite(v) && args[key] !== undefined && args[key] !== '' ? Math.trunc(v) : fallback;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
