import type { SlashCommand, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';

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

export type Parsed =
  | { kind: 'help' }
  | { kind: 'run'; spec: SubcommandSpec; args: string[]; rest: string }
  | { kind: 'unknown'; word: string; suggestion?: string }
  | { kind: 'too_long' };

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
      return spec ? { kind: 'run', spec, args: [], rest: '' } : { kind: 'help' };
    }
    const [first = '', ...words] = trimmed.split(/\s+/);
    const word = first.toLowerCase();
    if (word === 'help' || word === '?' || word === '-h' || word === '--help') return { kind: 'help' };
    if (word === 'admin') {
      const [sub = '', ...subWords] = words;
      const spec = this.admin.get(sub.toLowerCase());
      if (!spec) return { kind: 'unknown', word: `admin ${sub}`.trim(), suggestion: this.admin.size ? `admin ${[...this.admin.keys()].join('|')}` : undefined };
      const rest = trimmed.slice(first.length).trim().slice(sub.length).trim();
      return { kind: 'run', spec, args: subWords, rest };
    }
    const spec = this.#specs.get(word);
    if (!spec) return { kind: 'unknown', word: first, suggestion: this.#closest(word) };
    return { kind: 'run', spec, args: words, rest: trimmed.slice(first.length).trim() };
  }

  helpBlocks(opts: { isAdmin: boolean; intro?: string }): { text: string; blocks: KnownBlock[] } {
    const visible = [...this.#ordered, ...(opts.isAdmin ? this.admin.values() : [])].filter((s) => opts.isAdmin || !s.adminOnly);
    const lines = visible.map((s) => `\`${s.usage}\` — ${s.summary}`);
    const text = `${opts.intro ? `${opts.intro}\n\n` : ''}*demo-vm* runs demo VMs on Google Compute Engine from Slack.\n${lines.join('\n')}`;
    return {
      text,
      blocks: [
        ...(opts.intro ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: opts.intro } }] : []),
        { type: 'section', text: { type: 'mrkdwn', text: '*demo-vm* runs demo VMs on Google Compute Engine, from Slack.' } },
        { type: 'section', text: { type: 'mrkdwn', text: ['`/demo help` — this help', ...lines].join('\n').slice(0, 3000) } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: "Tip: the app's Home tab lists your demos and saved images." }] },
      ],
    };
  }

  #closest(word: string): string | undefined {
    let best: { name: string; d: number } | undefined;
    for (const name of this.#specs.keys()) {
      const d = editDistance(word, name);
      if (d <= 2 && (!best || d < best.d)) best = { name, d };
    }
    return best?.name;
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

export function toInput(cmd: SlashCommand, parsed: { args: string[]; rest: string }): CommandInput {
  return {
    userId: cmd.user_id,
    channelId: cmd.channel_id,
    teamId: cmd.team_id,
    triggerId: cmd.trigger_id,
    responseUrl: cmd.response_url,
    args: parsed.args,
    rest: parsed.rest,
  };
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
