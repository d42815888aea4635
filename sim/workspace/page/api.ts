import type { Snapshot } from '../snapshot.ts';
import type { OptionsAnswer } from './surface.ts';

/** The page's backend: a snapshot to draw, and the interactions (each becomes a signed Slack request). */

export type { Snapshot };

export interface Answer {
  ok: boolean;
  error?: string;
  outcome?: { outcome: string; errors?: Record<string, string>; reason?: string };
  options?: OptionsAnswer;
}

export async function fetchState(user: string): Promise<Snapshot> {
  const res = await fetch(`/local/api/state?user=${encodeURIComponent(user)}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`state: HTTP ${res.status}`);
  return (await res.json()) as Snapshot;
}

export async function post(
  path: 'command' | 'message' | 'action' | 'submit' | 'close' | 'suggest' | 'home' | 'dismiss' | 'activity',
  body: unknown,
): Promise<Answer> {
  try {
    const res = await fetch(`/local/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json()) as Answer;
    return answer;
  } catch (err) {
    return { ok: false, error: `The local workspace is not reachable (${(err as Error).message}). Is the app still running?` };
  }
}

/** Live changes: the server says when to fetch a new snapshot. */
export function onChanges(listener: () => void, onState: (connected: boolean) => void): EventSource {
  const source = new EventSource('/local/api/events');
  source.addEventListener('changed', () => listener());
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => onState(false));
  return source;
}
