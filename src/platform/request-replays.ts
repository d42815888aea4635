import type { Db } from './db.ts';
import type { Logger } from './log.ts';
import { TIMED_OUT, within } from './deadline.ts';

/** Slack refuses (and so do we) a request whose timestamp is more than this far from now. */
export const SLACK_REQUEST_WINDOW_SEC = 5 * 60;

/** A database that does not answer within this must not hold the ack (Slack waits 3 s). */
const CLAIM_TIMEOUT_MS = 1_000;
const PRUNE_EVERY_MS = 60_000;

interface WaitingClaim {
  key: string;
  expiresAt: Date;
  resolve: (claimed: boolean) => void;
}

/**
 * The signatures of accepted Slack requests, in PostgreSQL so every web replica sees them: a signed
 * request is accepted once inside its 5-minute window, a copy of it is a replay.
 *
 * Slack's own redeliveries (X-Slack-Retry-Num 1–3) each get one claim of their own, so a retry is
 * never taken for a replay (event retries are then dropped by event_id, platform/event-dedupe.ts).
 * The header is not signed, which is why it only opens those three claims and no more.
 *
 * If the database cannot answer, the request goes through with a warning: a listener then meets
 * the same outage and tells the user, and refusing every request would not make replays harder.
 */
export class ReplayCache {
  readonly #db: Db;
  readonly #log: Logger;
  #pruner: NodeJS.Timeout | undefined;
  #waiting: WaitingClaim[] = [];
  #claiming = false;

  constructor(db: Db, log: Logger) {
    this.#db = db;
    this.#log = log;
  }

  /** True the first time this signature (and retry number) is seen in its window. */
  claim(signature: string, timestampSec: number, retryNum: number | undefined): Promise<boolean> {
    const key = retryNum !== undefined && retryNum >= 1 && retryNum <= 3 ? `${signature}#retry${retryNum}` : signature;
    const expiresAt = new Date((timestampSec + SLACK_REQUEST_WINDOW_SEC + 1) * 1000);
    return new Promise((resolve) => {
      this.#waiting.push({ key, expiresAt, resolve });
      if (!this.#claiming) {
        this.#claiming = true;
        setImmediate(() => void this.#claimWaiting());
      }
    });
  }

  /**
   * One INSERT at a time, of every claim waiting for it (group commit): a burst of 500 requests
   * costs a few round trips instead of 500 queued on the pool, each before its ack.
   */
  async #claimWaiting(): Promise<void> {
    while (this.#waiting.length > 0) await this.#claimBatch(this.#waiting.splice(0));
    this.#claiming = false;
  }

  async #claimBatch(batch: WaitingClaim[]): Promise<void> {
    const unique = [...new Map(batch.map((c) => [c.key, c])).values()];
    const insert = this.#db
      .insertInto('slack_request_replays')
      .values(unique.map(({ key, expiresAt }) => ({ key, expires_at: expiresAt })))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute()
      .then((rows) => new Set(rows.map((r) => r.key)));
    let claimed: Set<string> | undefined;
    try {
      const inserted = await within(insert, CLAIM_TIMEOUT_MS);
      if (inserted !== TIMED_OUT) claimed = inserted;
      else this.#log.warn({ requests: batch.length }, 'replay check timed out: requests accepted unchecked');
    } catch (err) {
      this.#log.warn({ err, requests: batch.length }, 'replay check failed: requests accepted unchecked');
    }
    // The same signature twice in one batch: the first is the request, the second its replay.
    for (const c of batch) c.resolve(claimed === undefined || claimed.delete(c.key));
  }

  /** Rows past their window are of no use; any replica may delete them (the same rows, harmlessly). */
  async prune(now = new Date()): Promise<void> {
    await this.#db.deleteFrom('slack_request_replays').where('expires_at', '<', now).execute();
  }

  start(): void {
    this.#pruner ??= setInterval(
      () => void this.prune().catch((err: unknown) => this.#log.warn({ err }, 'could not prune the replay cache')),
      PRUNE_EVERY_MS,
    ).unref();
  }

  stop(): void {
    clearInterval(this.#pruner);
    this.#pruner = undefined;
  }
}
