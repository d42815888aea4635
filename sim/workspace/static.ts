import { readFile, stat } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { extname } from 'node:path';

/**
 * The page's files (sim/workspace/page), served as they are: HTML, CSS, and TypeScript modules with their
 * types stripped (no build step). Only flat, plainly named files are served.
 */

const PAGE_DIR = new URL('./page/', import.meta.url); // the trailing / makes it a folder for new URL(name, …)
const NAME = /^[a-z0-9-]+\.(html|css|ts|svg)$/;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticFile {
  type: string;
  body: string;
}

export class PageFiles {
  readonly #cache = new Map<string, { mtimeMs: number; file: StaticFile }>();

  /** The file, or undefined when there is no such page file. */
  async get(name: string): Promise<StaticFile | undefined> {
    if (!NAME.test(name)) return undefined;
    const url = new URL(name, PAGE_DIR);
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(url)).mtimeMs;
    } catch {
      return undefined;
    }
    // Re-read when the file changes, so editing the page needs a reload, not a restart.
    const cached = this.#cache.get(name);
    if (cached && cached.mtimeMs === mtimeMs) return cached.file;
    const source = await readFile(url, 'utf8');
    const ext = extname(name);
    const file = { type: TYPES[ext]!, body: ext === '.ts' ? toJavaScript(source, name) : source };
    this.#cache.set(name, { mtimeMs, file });
    return file;
  }
}

/** Node's own type stripping (what runs our .ts files), keeping line and column positions. */
export function toJavaScript(source: string, name: string): string {
  // The API still announces itself as experimental on first use; for us that is noise in the console.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return stripTypeScriptTypes(source, { mode: 'strip', sourceUrl: `/local/static/${name}` });
  } finally {
    process.emitWarning = emitWarning;
  }
}
