import type { TextContext } from './text.ts';

/** What a Block Kit renderer needs from the page: where it draws, what the user has entered, and how to act. */

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export type Surface = { viewId: string } | { channel: string; messageTs: string } | { channel: string; ephemeralTs: string };

export interface SlackOption {
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value: string;
  description?: { type: 'plain_text'; text: string };
}

/** One stateful element's current value, as the next payload's state.values will carry it. */
export interface StateEntry {
  blockId: string;
  actionId: string;
  choice?: string | string[];
  /** External selects: the option objects as the app offered them. */
  option?: SlackOption;
  options?: SlackOption[];
}

/** Values per surface (a modal keeps them across views.update, as Slack does for unchanged inputs). */
export class ValueStore {
  readonly #values = new Map<string, StateEntry>();

  get(blockId: string, actionId: string): StateEntry | undefined {
    return this.#values.get(`${blockId}\u0000${actionId}`);
  }

  set(entry: StateEntry): void {
    this.#values.set(`${entry.blockId}\u0000${entry.actionId}`, entry);
  }

  /** Only what the surface still shows is sent. */
  entries(blocks: unknown[]): StateEntry[] {
    const shown = new Set(blocks.filter(isObj).map((b) => str(b['block_id'])));
    return [...this.#values.values()].filter((e) => shown.has(e.blockId));
  }
}

export interface ActionRequest {
  blockId: string;
  actionId: string;
  choice?: string | string[];
  option?: SlackOption;
  options?: SlackOption[];
}

export interface OptionsAnswer {
  options: SlackOption[];
  option_groups: Array<{ label: { text: string }; options: SlackOption[] }>;
}

export interface BlockContext extends TextContext {
  surface: Surface;
  values: ValueStore;
  /** response_action errors, by block_id. */
  errors: Record<string, string>;
  users: Array<{ id: string; realName: string }>;
  channels: Array<{ id: string; name: string }>;
  act(req: ActionRequest): Promise<void>;
  suggest(actionId: string, value: string): Promise<OptionsAnswer>;
  confirm(dialog: Obj): Promise<boolean>;
}
