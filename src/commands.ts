import type { RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { helpMessage } from './command-views.ts';

/**
 * The `/demo` router: parses the text, finds the subcommand, and hands it to the capability that
 * registered it. Parsing is pure, so help and usage errors are answered in the ack itself.
 */

export interface CommandInput {
  userId: string;
  channelId: string;
  teamId: string;
  triggerId: string;
  responseUrl: string;
  /** Words after the subcommand, and the raw remainder (for free text such as a search query). */
  args: string[];
  rest: string;
}

export interface SubcommandSpec {
  name: string;
  aliases?: string[];
  usage: string;
  summary: string;
  /** Hidden from the help of people who cannot use it anyway. */
  adminOnly?: boolean;
  run(input: CommandInput, respond: RespondFn): Promise<void>;
}

export const MAX_COMMAND_TEXT = 2_000;

export type HelpTopic = 'start' | 'all' | 'admin';

export type Parsed =
  | { kind: 'help'; topic: HelpTopic }
  | { kind: 'run'; spec: SubcommandSpec; args: string[]; rest: string }
  | { kind: 'unknown'; word: string; suggestions: string[] }
  | { kind: 'too_long' };

/** What most people do: `/demo help` leads with these; the rest is one button away. */
const FIRST_STEPS = ['browse', 'launch', 'list', 'extend', 'save'];

export class CommandRouter {
  readonly #specs = new Map<string, SubcommandSpec>();
  readonly #ordered: SubcommandSpec[] = [];
  /** What bare `/demo` does. */
  defaultCommand = 'browse';
  /** `/demo admin <sub>`: admin-only subcommands, registered by the capabilities that own them. */
  readonly admin: Map<string, SubcommandSpec> = new Map();

  add(spec: SubcommandSpec): void {
    for (const name of [spec.name, ...(spec.aliases ?? [])]) {
      if (this.#specs.has(name)) throw new Error(`/demo ${name} is registered twice`);
      this.#specs.set(name, spec);
    }
    this.#ordered.push(spec);
  }

  get specs(): readonly SubcommandSpec[] {
    return this.#ordered;
  }

  parse(text: string): Parsed {
    if (text.length > MAX_COMMAND_TEXT) return { kind: 'too_long' };
    const trimmed = text.trim();
    if (trimmed === '') {
      const spec = this.#specs.get(this.defaultCommand);
      return spec ? { kind: 'run', spec, args: [], rest: '' } : { kind: 'help', topic: 'start' };
    }
    const [first = '', ...words] = trimmed.split(/\s+/);
    const word = first.toLowerCase();
    if (word === 'help' || word === '?' || word === '-h' || word === '--help') {
      const topic = words[0]?.toLowerCase();
      return { kind: 'help', topic: topic === 'all' || topic === 'admin' ? topic : 'start' };
    }
    if (word === 'admin') {
      const [sub = '', ...subWords] = words;
      const spec = this.admin.get(sub.toLowerCase());
      if (!spec)
        return { kind: 'unknown', word: `admin ${sub}`.trim(), suggestions: closest(sub.toLowerCase(), [...this.admin.keys()]).map((n) => `admin ${n}`) };
      const rest = trimmed.slice(first.length).trim().slice(sub.length).trim();
      return { kind: 'run', spec, args: subWords, rest };
    }
    const spec = this.#specs.get(word);
    if (!spec) return { kind: 'unknown', word: first, suggestions: closest(word, [...this.#specs.keys()], FIRST_STEPS.slice(0, 3)) };
    return { kind: 'run', spec, args: words, rest: trimmed.slice(first.length).trim() };
  }

  help(topic: HelpTopic, isAdmin: boolean): { text: string; blocks: KnownBlock[] } {
    const line = (s: SubcommandSpec) => `\`${s.usage}\` — ${s.summary}`;
    if (topic === 'admin' && isAdmin) return helpMessage([...this.admin.values()].map(line), { title: '*Admin commands*', more: true, isAdmin: false });
    const visible = this.#ordered.filter((s) => isAdmin || !s.adminOnly);
    const first = FIRST_STEPS.flatMap((n) => visible.filter((s) => s.name === n));
    if (topic === 'all' || first.length === 0)
      return helpMessage(['`/demo help` — what most people do', ...visible.map(line)], { title: '*All /demo commands*', more: false, isAdmin });
    return helpMessage(first.map(line), { title: '*demo-vm* runs demo VMs on Google Compute Engine, from Slack. What most people do:', more: true, isAdmin });
  }
}

/** The (at most three) names nearest to a typo, by edit distance; the fallback when none is near. */
export function closest(word: string, names: string[], fallback: string[] = []): string[] {
  const near = names
    .map((name) => ({ name, d: Math.min(editDistance(word, name), name.startsWith(word) && word.length >= 2 ? 1 : Infinity) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(x.name.length / 3)))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  const picked = near.length ? near.map((x) => x.name) : fallback;
  return [...new Set(picked)].slice(0, 3);
}

/** Damerau-Levenshtein (optimal string alignment): a swap of two letters counts as one typo. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const MENTION = /^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$/;
const BARE_USER_ID = /^([UW][A-Z0-9_]{2,})$/;

/** A user mention as slash commands deliver it with escaping on: `<@U123|bob>` or `<@U123>` → U123. */
export function mentionedUser(word: string | undefined): string | null {
  return MENTION.exec(word?.trim() ?? '')?.[1] ?? null;
}

/** A mention, or a bare user ID typed by hand. */
export function parseUserRef(word: string | undefined): string | null {
  const w = word?.trim() ?? '';
  return (MENTION.exec(w) ?? BARE_USER_ID.exec(w))?.[1] ?? null;
}
