import type { FakeSlack } from '../server.ts';
import { dropUndefined } from '../store/messages.ts';
import type { FakeChannel, JsonObject } from '../types.ts';

/** A request as Slack would send it to the app's Request URL: the raw body to sign, plus what it carries. */
export interface SlackRequest<P = JsonObject> {
  kind: 'command' | 'interaction' | 'event';
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /** Exactly the bytes to sign and send. */
  body: string;
  /** The decoded payload (form fields for commands), for assertions. */
  payload: P;
  triggerId?: string;
  responseUrl?: string;
}

export function teamObject(fake: FakeSlack): JsonObject {
  return { id: fake.identity.teamId, domain: fake.identity.teamDomain };
}

/** `user` as interaction payloads carry it. */
export function userObject(fake: FakeSlack, userId: string): JsonObject {
  const u = fake.workspace.directory.users.get(userId);
  if (!u) throw new Error(`fake Slack: unknown user ${userId}`);
  return { id: u.id, username: u.name, name: u.name, team_id: fake.identity.teamId };
}

/** A channel id, or a user id meaning the app's DM with that user (opened on demand, as Slack does). */
export function resolveChannel(fake: FakeSlack, channel: string): FakeChannel {
  const dir = fake.workspace.directory;
  if (dir.isUserId(channel)) return dir.openIm(channel).channel;
  const c = dir.channels.get(channel);
  if (!c) throw new Error(`fake Slack: unknown channel ${channel}`);
  return c;
}

/** Interactions arrive form-encoded with a single `payload` field holding JSON. */
export function interactionRequest(payload: JsonObject, extra: { triggerId?: string; responseUrl?: string } = {}): SlackRequest {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return { kind: 'interaction', contentType: 'application/x-www-form-urlencoded', body, payload, ...dropUndefined(extra) };
}

/** Slack's action_ts / event_ts style: seconds with microseconds. */
export function nowTs(): string {
  const micros = BigInt(Date.now()) * 1000n;
  return `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
}
