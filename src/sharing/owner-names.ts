import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { userProfile } from '../platform/user-profiles.ts';

/**
 * Owners' Slack names in the catalog's search text, so colleagues can find "Alice's CRM", and in the
 * display names of what they launch (the database reads user_names). Refreshed when an image is offered
 * to others (a share request) or a demo is launched; the images trigger copies them onto images saved
 * later (migrations/0005).
 */
export async function rememberOwnerName(ctx: AppContext, userId: string): Promise<void> {
  // Search by name is a convenience: without a profile, nothing to add (and nothing fails). A cached
  // profile was copied onto the owner's images when it was fetched.
  const p = await userProfile(ctx, userId);
  if (!p?.refreshed) return;
  const text = [p.displayName, p.realName, p.name].filter(Boolean).join(' ');
  await ctx.db
    .updateTable('images')
    .set({ owner_name: text })
    .where('owner_id', '=', userId)
    .where(sql<boolean>`owner_name IS DISTINCT FROM ${text}`)
    .execute();
}
