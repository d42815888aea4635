/**
 * When did the user see the result of a request? Each request registers the surfaces its answer can
 * appear on (keys); every successful Web API call at the fake Slack (and every POST to a response_url)
 * is matched to the oldest pending request with one of its keys, at the wall-clock time the fake
 * handled it (performance.timeOrigin + now, comparable with the load generator thread's send times).
 *
 *   t:<trigger_id>          views.open / views.push with that trigger (a modal opened)
 *   v:<view_id>             views.update of that view
 *   r:<response_url path>   a message through the interaction's response_url
 *   m:<channel>:<ts>        chat.update of that message
 *   e:<channel>:<user>      chat.postEphemeral to that user there
 *   d:<user>                chat.postMessage to the user's DM
 */
import type { CallRecord, FakeSlack } from './fakes.ts';

export const wallNow = () => performance.timeOrigin + performance.now();

interface Pending {
  id: number;
  done: boolean;
  onSeen?: (at: number, method: string) => void;
}

export class VisibleTracker {
  /** Request id → wall-clock ms when its result reached the fake Slack. */
  readonly seenAt = new Map<number, number>();
  /** Request id → the Web API method that showed it. */
  readonly seenBy = new Map<number, string>();
  /** Calls that matched no pending request, by method (work the app did for no request we sent, or repeats). */
  readonly unmatched: Record<string, number> = {};
  /** Calls Slack refused (ok: false), by method and error: a user never sees these. */
  readonly refused: Record<string, number> = {};
  readonly #byKey = new Map<string, Pending[]>();
  readonly #fake: FakeSlack;
  readonly #onCall = (c: CallRecord) => this.#call(c);

  constructor(fake: FakeSlack) {
    this.#fake = fake;
    fake.events.on('call', this.#onCall);
  }

  close(): void {
    this.#fake.events.off('call', this.#onCall);
  }

  /** Expect a visible result for request `id` on any of `keys`. */
  expect(id: number, keys: string[], onSeen?: (at: number, method: string) => void): void {
    const p: Pending = { id, done: false, onSeen };
    for (const k of keys) {
      let list = this.#byKey.get(k);
      if (!list) this.#byKey.set(k, (list = []));
      list.push(p);
    }
  }

  #call(c: CallRecord): void {
    const at = wallNow();
    const a = c.args;
    const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
    if (c.response['ok'] === false || c.status >= 400) {
      const key = `${c.method} (${String(c.response['error'] ?? c.status)})`;
      this.refused[key] = (this.refused[key] ?? 0) + 1;
      return;
    }
    let key: string | undefined;
    switch (c.method) {
      case 'views.open':
      case 'views.push':
        key = `t:${s('trigger_id')}`;
        break;
      case 'views.update':
        key = `v:${s('view_id')}`;
        break;
      case 'response_url':
        key = `r:${s('url')}`;
        break;
      case 'chat.update':
        key = `m:${s('channel')}:${s('ts')}`;
        break;
      case 'chat.postEphemeral':
        key = `e:${s('channel')}:${s('user')}`;
        break;
      case 'chat.postMessage': {
        const ch = s('channel');
        // A DM is addressed by the user's id or by the IM channel's.
        key = `d:${this.#fake.workspace.directory.channels.get(ch)?.user ?? ch}`;
        break;
      }
    }
    const list = key ? this.#byKey.get(key) : undefined;
    while (list?.length && list[0]!.done) list.shift();
    const p = list?.shift();
    if (!p) {
      this.unmatched[c.method] = (this.unmatched[c.method] ?? 0) + 1;
      return;
    }
    p.done = true;
    this.seenAt.set(p.id, at);
    this.seenBy.set(p.id, c.method);
    p.onSeen?.(at, c.method);
  }
}

/** The response_url's path, as the fake records it. */
export function responseUrlKey(responseUrl: string | undefined): string[] {
  return responseUrl ? [`r:${new URL(responseUrl).pathname}`] : [];
}
