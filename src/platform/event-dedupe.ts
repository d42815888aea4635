import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import type { Clock } from './clock.ts';
import type { Db } from './db.ts';
import type { Logger } from './log.ts';

/**
 * Slack delivers an Events API event again when it thinks we missed it (X-Slack-Retry-Num), and any
 * replica may receive the retry. Bolt acks events before middleware runs, so claiming the event_id
 * in the database here costs Slack nothing: the first delivery runs the listeners, repeats do not.
 */
export function registerEventDedupe(bolt: App, deps: { db: Db; clock: Clock; log: Logger }): void {
  bolt.use(async ({ body, next }) => {
    const eventId = (body as { type?: string; event_id?: unknown }).type === 'event_callback' ? (body as { event_id?: unknown }).event_id : undefined;
    if (typeof eventId !== 'string' || eventId.length > 100) {
      await next();
      return;
    }
    const inserted = await deps.db
      .insertInto('submissions')
      .values({ key: `event:${eventId}`, kind: 'event', resource_id: randomUUID(), created_at: deps.clock.now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      deps.log.info({ eventId }, 'ignoring a repeated delivery of a Slack event');
      return;
    }
    await next();
  });
}
