import type { WebClient } from '@slack/web-api';
import type { Clock } from './clock.ts';
import type { Db } from './db.ts';
import { answerWithin, SLACK_LOOKUP_MS } from './deadline.ts';
import type { Logger } from './log.ts';

/**
 * Slack profiles (names, picture, time zone) cached a day in user_names: the one place the app calls users.info.
 * Catalog search, display names, comments posted in a user's name and the digest chart read it.
 */

export interface UserProfile {
  name: string;
  realName: string;
  displayName: string;
  /** 72 px picture, when Slack has one. */
  image72: string | null;
  /** Their time zone (IANA, e.g. Europe/Berlin), when Slack says. */
  tz: string | null;
  /** Slack answered just now (the cache was old or empty), so what was copied from it may be out of date. */
  refreshed: boolean;
}

const FRESH_MS = 24 * 3600_000;

type Deps = { db: Db; slack: WebClient; clock: Clock; log: Logger };

/** The user's profile: cached if fresh, else Slack's answer (stored), else the stale cache, else null. */
export async function userProfile(deps: Deps, userId: string): Promise<UserProfile | null> {
  const now = deps.clock.now();
  const cached = await deps.db.selectFrom('user_names').selectAll().where('user_id', '=', userId).executeTakeFirst();
  const fromRow = (r: NonNullable<typeof cached>, refreshed = false): UserProfile => ({
    name: r.name,
    realName: r.real_name,
    displayName: r.display_name,
    image72: r.image_72,
    tz: r.tz,
    refreshed,
  });
  // A row cached before time zones were kept (0018) is looked up again once.
  if (cached && cached.tz !== null && now.getTime() - cached.fetched_at.getTime() < FRESH_MS) return fromRow(cached);
  try {
    const res = await answerWithin(deps.slack.users.info({ user: userId }), SLACK_LOOKUP_MS, 'Slack users.info');
    const u = res.user;
    const row = {
      name: u?.name ?? '',
      real_name: u?.real_name ?? u?.profile?.real_name ?? '',
      display_name: u?.profile?.display_name ?? '',
      image_72: u?.profile?.image_72 ?? null,
      tz: u?.tz ?? null,
    };
    await deps.db
      .insertInto('user_names')
      .values({ user_id: userId, ...row, fetched_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...row, fetched_at: now }))
      .execute();
    return fromRow({ user_id: userId, ...row, fetched_at: now }, true);
  } catch (err) {
    deps.log.warn({ err, userId }, 'could not look up a Slack profile');
    return cached ? fromRow(cached) : null;
  }
}

/** The name a person goes by in Slack, or null when unknown. */
export function shownName(p: UserProfile | null): string | null {
  return p?.displayName || p?.realName || p?.name || null;
}

/** Users whose Slack handle or display name is exactly `name` (any case), among those the app has looked up. */
export async function usersNamed(db: Db, name: string): Promise<string[]> {
  const lower = name.toLowerCase();
  const rows = await db
    .selectFrom('user_names')
    .select('user_id')
    .where((eb) => eb.or([eb(eb.fn('lower', ['name']), '=', lower), eb(eb.fn('lower', ['display_name']), '=', lower)]))
    .limit(2)
    .execute();
  return rows.map((r) => r.user_id);
}
