import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { TIMED_OUT, within } from '../platform/deadline.ts';

/**
 * Owners' Slack names in the catalog's search text, so colleagues can find "Alice's CRM". Looked up
 * with users.info when an image is offered to others (a share request) and kept a day; the images
 * trigger copies them onto images saved later (migrations/0005).
 */
const NAME_TTL_MS = 24 * 3600_000;

/**
 * A launch waits for this lookup, and the Web API client retries for minutes when Slack is down: past
 * the deadline the name is picked without the handle (the lookup goes on and is dropped).
 */
const LOOKUP_DEADLINE_MS = 2_000;

export async function rememberOwnerName(ctx: AppContext, userId: string): Promise<void> {
  const now = ctx.clock.now();
  const known = await ctx.db.selectFrom('user_names').select('fetched_at').where('user_id', '=', userId).executeTakeFirst();
  if (known && now.getTime() - known.fetched_at.getTime() < NAME_TTL_MS) return;
  let names: { name: string; real_name: string; display_name: string };
  try {
    const res = await within(ctx.slack.users.info({ user: userId }), LOOKUP_DEADLINE_MS);
    if (res === TIMED_OUT) throw new Error(`Slack did not answer users.info within ${LOOKUP_DEADLINE_MS} ms`);
    const u = res.user;
    names = { name: u?.name ?? '', real_name: u?.real_name ?? u?.profile?.real_name ?? '', display_name: u?.profile?.display_name ?? '' };
  } catch (err) {
    // Search by name is a convenience: never fail a share over it.
    ctx.log.warn({ err, userId }, 'could not look up a user name for catalog search');
    return;
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('user_names')
      .values({ user_id: userId, ...names, fetched_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...names, fetched_at: now }))
      .execute();
    const text = [names.display_name, names.real_name, names.name].filter(Boolean).join(' ');
    await trx
      .updateTable('images')
      .set({ owner_name: text })
      .where('owner_id', '=', userId)
      .where(sql<boolean>`owner_name IS DISTINCT FROM ${text}`)
      .execute();
  });
}
