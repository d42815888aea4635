import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../platform/db.ts';
import { putSetting } from '../platform/settings.ts';
import type { Actor } from '../policy.ts';
import { recordAudit } from '../audit/store.ts';

/**
 * Who approves share requests. Until an admin edits the list, configuration decides: APPROVER_USER_IDS
 * plus the members of APPROVER_USERGROUP (resolved with usergroups.users.list, cached in `settings`
 * for a few minutes so every replica sees the same list without asking Slack per click). The first
 * `/demo admin approvers add|remove` copies that set into the `approvers` table and marks it managed:
 * from then on the table alone decides. Admins can always decide (policy: an admin is an approver).
 */

const MANAGED_KEY = 'approvers.managed';
const GROUP_KEY = 'approvers.usergroup';
export const USERGROUP_CACHE_MS = 5 * 60_000;

interface GroupCache {
  group: string;
  members: string[];
  fetchedAt: string;
}

async function settings(db: Db): Promise<{ managed: boolean; group: GroupCache | null }> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'in', [MANAGED_KEY, GROUP_KEY]).execute();
  const group = rows.find((r) => r.key === GROUP_KEY)?.value as GroupCache | undefined;
  return { managed: rows.some((r) => r.key === MANAGED_KEY), group: group ?? null };
}

function groupMembers(config: Config, cache: GroupCache | null): string[] {
  const group = config.sharing.approverUsergroup;
  return group && cache?.group === group ? cache.members : [];
}

/** ctx.actor: admins come from configuration, approvers from this list (an admin is an approver too). */
export async function resolveActor(db: Db, config: Config, userId: string): Promise<Actor> {
  const isAdmin = config.adminUserIds.includes(userId);
  return { userId, isAdmin, isApprover: isAdmin || (await isApprover(db, config, userId)) };
}

/** Pure database read (used by resolveActor on every request): no Slack call here. */
export async function isApprover(db: Db, config: Config, userId: string): Promise<boolean> {
  const s = await settings(db);
  if (s.managed) {
    const row = await db.selectFrom('approvers').select('user_id').where('user_id', '=', userId).executeTakeFirst();
    return Boolean(row);
  }
  return config.sharing.approverUserIds.includes(userId) || groupMembers(config, s.group).includes(userId);
}

export interface ApproverList {
  managed: boolean;
  userIds: string[];
  /** Where the list comes from, in words. */
  source: string;
}

export async function listApprovers(ctx: AppContext): Promise<ApproverList> {
  await refreshUsergroup(ctx);
  const s = await settings(ctx.db);
  if (s.managed) {
    const rows = await ctx.db.selectFrom('approvers').select('user_id').orderBy('added_at').execute();
    return {
      managed: true,
      userIds: rows.map((r) => r.user_id),
      source: 'the list admins keep with `/demo admin approvers` (configuration no longer applies)',
    };
  }
  const { approverUserIds, approverUsergroup } = ctx.config.sharing;
  const ids = [...new Set([...approverUserIds, ...groupMembers(ctx.config, s.group)])];
  const parts = [approverUserIds.length ? 'APPROVER_USER_IDS' : '', approverUsergroup ? `the user group <!subteam^${approverUsergroup}>` : ''].filter(Boolean);
  return { managed: false, userIds: ids, source: parts.length ? `configuration (${parts.join(' and ')})` : 'nobody is configured; only admins can decide' };
}

/**
 * Refresh the cached members of APPROVER_USERGROUP when older than the cache time (or forced). A Slack
 * failure keeps the last known members: approvals should not stop because Slack hiccuped.
 */
export async function refreshUsergroup(ctx: AppContext, opts: { force?: boolean } = {}): Promise<void> {
  const group = ctx.config.sharing.approverUsergroup;
  if (!group) return;
  const now = ctx.clock.now();
  const { group: cache } = await settings(ctx.db);
  const fresh = cache?.group === group && now.getTime() - new Date(cache.fetchedAt).getTime() < USERGROUP_CACHE_MS;
  if (fresh && !opts.force) return;
  let members: string[];
  try {
    const res = await ctx.slack.usergroups.users.list({ usergroup: group });
    members = res.users ?? [];
  } catch (err) {
    ctx.log.warn({ err, usergroup: group }, 'could not list the approver user group; keeping the last known members');
    return;
  }
  const value: GroupCache = { group, members, fetchedAt: now.toISOString() };
  await putSetting(ctx.db, GROUP_KEY, value, null, now);
}

/** Add or remove an approver; the first change copies the configured set so nobody is dropped silently. */
export async function changeApprover(ctx: AppContext, adminId: string, op: 'add' | 'remove', userId: string): Promise<{ changed: boolean; seeded: string[] }> {
  const before = await listApprovers(ctx);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('settings')
      .values({ key: MANAGED_KEY, value: JSON.stringify({ since: now.toISOString(), by: adminId }), updated_by: adminId, updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    const seeded = Number(claimed.numInsertedOrUpdatedRows ?? 0) === 1 && !before.managed ? before.userIds : [];
    for (const id of seeded) {
      await trx
        .insertInto('approvers')
        .values({ user_id: id, added_by: adminId, added_at: now })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
    }
    let changed: boolean;
    if (op === 'add') {
      const res = await trx
        .insertInto('approvers')
        .values({ user_id: userId, added_by: adminId, added_at: now })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .executeTakeFirst();
      changed = Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    } else {
      const res = await trx.deleteFrom('approvers').where('user_id', '=', userId).executeTakeFirst();
      changed = Number(res.numDeletedRows) === 1;
    }
    await recordAudit(trx, {
      at: now,
      actorId: adminId,
      action: `approvers.${op}`,
      resourceKind: 'approver',
      resourceId: userId,
      before: { approvers: before.userIds, managed: before.managed },
      after: { changed, seeded },
    });
    return { changed, seeded };
  });
}
