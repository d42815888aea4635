import type { Transaction } from 'kysely';
import type { Database } from './db-schema.ts';

/**
 * Idempotency for Slack: the first transaction to claim a key (a modal's view id, a button press, an
 * event id) creates the thing; a double click or Slack's retry finds what the first one created.
 * Returns that resource's id, or null when this caller won the claim. A racing claim waits for the
 * winner's transaction (unique key), so it never sees a half-made resource.
 */
export async function claimSubmission(trx: Transaction<Database>, key: string, kind: string, resourceId: string, now: Date): Promise<string | null> {
  const inserted = await trx
    .insertInto('submissions')
    .values({ key, kind, resource_id: resourceId, created_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('resource_id')
    .executeTakeFirst();
  if (inserted) return null;
  const existing = await trx.selectFrom('submissions').select('resource_id').where('key', '=', key).executeTakeFirstOrThrow();
  return existing.resource_id;
}
