import type { EventEmitter } from 'node:events';
import type { Clock } from '../../../src/platform/clock.ts';
import { randomHex, randomId } from '../ids.ts';
import type { FakeSlackEvents, Identity, JsonObject, StoredView } from '../types.ts';
import { withBlockIds } from './block-ids.ts';

/** Slack keeps at most three modals in one stack. */
export const MAX_MODAL_STACK = 3;

export type ViewError = 'not_found' | 'hash_conflict' | 'push_limit_reached' | 'duplicate_external_id' | 'no_open_modal';

/** Modals (a stack per user) and App Home tabs (one per user). */
export class ViewStore {
  readonly #views = new Map<string, StoredView>();
  /** user → ids of the open modal stack, bottom first. */
  readonly #stacks = new Map<string, string[]>();
  readonly #homes = new Map<string, string>();
  readonly #clock: Clock;
  readonly #events: EventEmitter<FakeSlackEvents>;
  readonly #identity: Identity;

  constructor(clock: Clock, events: EventEmitter<FakeSlackEvents>, identity: Identity) {
    this.#clock = clock;
    this.#events = events;
    this.#identity = identity;
  }

  get(id: string): StoredView | undefined {
    return this.#views.get(id);
  }

  byExternalId(externalId: string): StoredView | undefined {
    if (externalId === '') return undefined;
    return [...this.#views.values()].find((v) => v.external_id === externalId && !v.closed);
  }

  /** The user's open modals, bottom first. */
  stack(user: string): StoredView[] {
    return (this.#stacks.get(user) ?? []).map((id) => this.#views.get(id)).filter((v) => v !== undefined);
  }

  home(user: string): StoredView | undefined {
    const id = this.#homes.get(user);
    return id === undefined ? undefined : this.#views.get(id);
  }

  /** views.open: a new stack for the user (an open modal is replaced, as a new interaction would). */
  open(user: string, input: JsonObject): StoredView | ViewError {
    if (this.#externalIdTaken(input)) return 'duplicate_external_id';
    for (const old of this.stack(user)) old.closed = true;
    const view = this.#register(this.#build(user, input, null, null));
    this.#stacks.set(user, [view.id]);
    this.#events.emit('view_opened', view);
    return view;
  }

  push(user: string, input: JsonObject): StoredView | ViewError {
    const stack = this.#stacks.get(user) ?? [];
    const top = stack.at(-1);
    if (top === undefined) return 'no_open_modal';
    if (stack.length >= MAX_MODAL_STACK) return 'push_limit_reached';
    if (this.#externalIdTaken(input)) return 'duplicate_external_id';
    const root = this.#views.get(stack[0] ?? top)?.id ?? top;
    const view = this.#register(this.#build(user, input, root, top));
    stack.push(view.id);
    this.#events.emit('view_pushed', view);
    return view;
  }

  /** views.update: new content, same id; a stale `hash` is refused like Slack does. */
  update(target: StoredView | undefined, input: JsonObject, hash: string | undefined): StoredView | ViewError {
    if (!target || target.closed) return 'not_found';
    if (hash !== undefined && hash !== '' && hash !== target.hash) return 'hash_conflict';
    const next = this.#build(target.user, { ...input, type: target.type }, target.root_view_id, target.previous_view_id, target.id);
    // An update that names no external_id keeps the one the view had.
    const externalId = next.external_id === '' ? target.external_id : next.external_id;
    Object.assign(target, { ...next, state: target.state, external_id: externalId });
    this.#events.emit('view_updated', target);
    return target;
  }

  publish(user: string, input: JsonObject, hash: string | undefined): StoredView | ViewError {
    const current = this.home(user);
    if (current && hash !== undefined && hash !== '' && hash !== current.hash) return 'hash_conflict';
    if (this.#externalIdTaken(input, current?.id)) return 'duplicate_external_id';
    if (current) {
      Object.assign(current, { ...this.#build(user, input, null, null, current.id), state: current.state });
      this.#events.emit('view_published', current);
      return current;
    }
    const view = this.#register(this.#build(user, input, null, null));
    this.#homes.set(user, view.id);
    this.#events.emit('view_published', view);
    return view;
  }

  /** Close a modal (what submitting or cancelling it does), popping it and anything above it. */
  close(viewId: string): void {
    const view = this.#views.get(viewId);
    if (!view) return;
    const stack = this.#stacks.get(view.user) ?? [];
    const index = stack.indexOf(viewId);
    if (index < 0) return;
    for (const id of stack.splice(index)) {
      const closed = this.#views.get(id);
      if (closed) closed.closed = true;
    }
  }

  /** Record what a user typed or picked, as the next view_submission would carry it. */
  setState(viewId: string, values: JsonObject): void {
    const view = this.#views.get(viewId);
    if (view) view.state = { values };
  }

  /** Each user's Home tab; open modals are not kept (a restart closes them). */
  snapshot(): StoredView[] {
    return [...this.#homes.values()].map((id) => this.#views.get(id)).filter((v) => v !== undefined);
  }

  restore(homes: StoredView[]): void {
    for (const view of homes) {
      this.#views.set(view.id, view);
      this.#homes.set(view.user, view.id);
    }
  }

  all(): StoredView[] {
    return [...this.#views.values()];
  }

  clear(): void {
    this.#views.clear();
    this.#stacks.clear();
    this.#homes.clear();
  }

  #externalIdTaken(input: JsonObject, except?: string): boolean {
    const externalId = typeof input['external_id'] === 'string' ? input['external_id'] : '';
    const owner = this.byExternalId(externalId);
    return owner !== undefined && owner.id !== except;
  }

  #register(view: StoredView): StoredView {
    this.#views.set(view.id, view);
    return view;
  }

  #build(user: string, input: JsonObject, root: string | null, previous: string | null, id = randomId('V')): StoredView {
    const str = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '');
    const obj = (key: string) => (isObject(input[key]) ? (input[key] as JsonObject) : null);
    const view: StoredView = {
      id,
      team_id: this.#identity.teamId,
      type: input['type'] === 'home' ? 'home' : 'modal',
      user,
      blocks: withBlockIds(Array.isArray(input['blocks']) ? (input['blocks'] as JsonObject[]) : []),
      private_metadata: str('private_metadata'),
      callback_id: str('callback_id'),
      state: { values: {} },
      hash: `${Math.floor(this.#clock.now().getTime() / 1000)}.${randomHex(4)}`,
      clear_on_close: input['clear_on_close'] === true,
      notify_on_close: input['notify_on_close'] === true,
      root_view_id: root ?? id,
      previous_view_id: previous,
      app_id: this.#identity.appId,
      external_id: str('external_id'),
      app_installed_team_id: this.#identity.teamId,
      bot_id: this.#identity.botId,
    };
    if (view.type === 'modal') {
      view.title = obj('title') ?? { type: 'plain_text', text: '' };
      view.submit = obj('submit');
      view.close = obj('close');
    }
    return view;
  }
}

/** The view as Slack's API returns it (without the fake's bookkeeping fields). */
export function publicView(view: StoredView): JsonObject {
  const { user: _user, closed: _closed, ...rest } = view;
  return structuredClone(rest) as unknown as JsonObject;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
