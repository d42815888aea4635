import type { Clock } from '../../../src/platform/clock.ts';
import { randomHex } from '../ids.ts';

/** Slack lets a trigger_id open one view within 3 seconds. */
export const TRIGGER_TTL_MS = 3000;
/** A response_url takes at most 5 posts within 30 minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

export interface ResponseUrlGrant {
  path: string;
  channel: string;
  user: string;
  issuedAt: number;
  uses: number;
  /** The message an interaction came from: replace_original / delete_original act on it. */
  messageTs?: string;
  /** True when that message is an ephemeral (only the user sees it). */
  isEphemeral?: boolean;
  threadTs?: string;
}

export type TriggerCheck = { user: string } | 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id';
export type ResponseUrlCheck = ResponseUrlGrant | 'invalid_url' | 'expired_url' | 'used_url';

export interface ResponseUrlOptions {
  kind?: 'commands' | 'actions';
  messageTs?: string;
  isEphemeral?: boolean;
  threadTs?: string;
}

/** Short-lived capabilities Slack hands to interactions: trigger_ids and response_urls. */
export class Grants {
  readonly #triggers = new Map<string, Trigger>();
  readonly #responseUrls = new Map<string, ResponseUrlGrant>();
  readonly #clock: Clock;
  readonly #teamId: string;
  #seq = 1000;

  constructor(clock: Clock, teamId: string) {
    this.#clock = clock;
    this.#teamId = teamId;
  }

  issueTrigger(user: string): string {
    const now = this.#clock.now().getTime();
    const id = `${this.#seq++}.${Math.floor(now / 1000)}.${randomHex(16)}`;
    this.#triggers.set(id, { user, issuedAt: now, used: false });
    return id;
  }

  /** Use a trigger_id once; errors are Slack's own codes. */
  consumeTrigger(id: string): TriggerCheck {
    const trigger = this.#triggers.get(id);
    if (!trigger) return 'invalid_trigger_id';
    if (trigger.used) return 'exchanged_trigger_id';
    if (this.#clock.now().getTime() - trigger.issuedAt > TRIGGER_TTL_MS) return 'expired_trigger_id';
    trigger.used = true;
    return { user: trigger.user };
  }

  /** A path on the fake's own server, like https://hooks.slack.com/commands/T…/…/… */
  issueResponseUrlPath(channel: string, user: string, opts: ResponseUrlOptions = {}): string {
    const path = `/${opts.kind ?? 'commands'}/${this.#teamId}/${this.#seq++}/${randomHex(12)}`;
    const grant: ResponseUrlGrant = { path, channel, user, issuedAt: this.#clock.now().getTime(), uses: 0 };
    if (opts.messageTs !== undefined) grant.messageTs = opts.messageTs;
    if (opts.isEphemeral !== undefined) grant.isEphemeral = opts.isEphemeral;
    if (opts.threadTs !== undefined) grant.threadTs = opts.threadTs;
    this.#responseUrls.set(path, grant);
    return path;
  }

  isResponseUrlPath(path: string): boolean {
    return this.#responseUrls.has(path);
  }

  useResponseUrl(path: string): ResponseUrlCheck {
    const grant = this.#responseUrls.get(path);
    if (!grant) return 'invalid_url';
    if (this.#clock.now().getTime() - grant.issuedAt > RESPONSE_URL_TTL_MS) return 'expired_url';
    if (grant.uses >= RESPONSE_URL_MAX_USES) return 'used_url';
    grant.uses += 1;
    return grant;
  }

  clear(): void {
    this.#triggers.clear();
    this.#responseUrls.clear();
  }
}
