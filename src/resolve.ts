import type { RespondFn } from '@slack/bolt';
import { choicesMessage } from './command-views.ts';

/**
 * The one resolver behind every command argument that names a demo or an image: an exact id or name,
 * a unique prefix of a name, or words of a title, case-insensitively. Several matches are offered as
 * buttons that run the same command again with the chosen id; none gets a Browse button.
 */

export interface Named {
  id: string;
  /** The display name people read and type. */
  name: string;
  title: string;
  /** Other exact names (a GCE name, an instance name). */
  also?: string[];
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** Exact matches if any; else the prefixes of a name, and the titles or names whose words the typed words all begin. */
export function matchNamed<T extends Named>(query: string, items: readonly T[]): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const names = (i: T) => [i.name, ...(i.also ?? [])].map((n) => n.toLowerCase());
  const exact = items.filter((i) => i.id.toLowerCase() === q || i.title.toLowerCase() === q || names(i).includes(q));
  if (exact.length) return exact;
  const typed = words(q);
  return items.filter((i) => {
    const have = words(`${i.title} ${names(i).join(' ')}`);
    return names(i).some((n) => n.startsWith(q)) || typed.every((w) => have.some((h) => h.startsWith(w)));
  });
}

export interface PickOptions {
  /** "image", "demo": what the user was naming. */
  what: string;
  /** The command to run again with a chosen id in place of the words, e.g. (id) => `launch ${id}`. */
  rerun: (id: string) => string;
  /** The command behind Browse (e.g. `browse crm`, `list`). */
  browse: string;
}

/** The one match (no words: the only item), or null once the user has been answered (Did you mean…? or nothing found). */
export async function pickOne<T extends Named>(respond: RespondFn, query: string, items: readonly T[], opts: PickOptions): Promise<T | null> {
  const matches = query.trim() ? matchNamed(query, items) : items;
  if (matches.length === 1) return matches[0]!;
  await respond({ response_type: 'ephemeral', replace_original: false, ...choicesMessage(query, matches, opts) });
  return null;
}
