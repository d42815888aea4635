import type { Transaction } from 'kysely';
import type { AppContext } from '../context.ts';
import { UserError } from '../errors.ts';
import type { Database } from '../platform/db-schema.ts';
import type { Db } from '../platform/db.ts';
import { putSetting } from '../platform/settings.ts';

/** The admin's pause switch: while on, new launches (and resumes) are refused with a message. */
const KEY = 'launches_paused';

export interface PauseState {
  paused: boolean;
  by: string | null;
  at: Date | null;
  reason: string;
}

export async function pauseState(db: Db | Transaction<Database>): Promise<PauseState> {
  const row = await db.selectFrom('settings').select(['value', 'updated_by', 'updated_at']).where('key', '=', KEY).executeTakeFirst();
  const value = (row?.value ?? {}) as { paused?: unknown; reason?: unknown };
  return {
    paused: value.paused === true,
    by: row?.updated_by ?? null,
    at: row?.updated_at ?? null,
    reason: typeof value.reason === 'string' ? value.reason : '',
  };
}

/** Called by demos/service.launch before anything is created. */
export async function assertLaunchesOpen(ctx: AppContext): Promise<void> {
  const state = await pauseState(ctx.db);
  if (!state.paused) return;
  const why = state.reason ? ` (${state.reason})` : '';
  throw new UserError(
    `New demos are paused by an admin${why}. Your running demos are not affected; try again later or ask ${state.by ? `<@${state.by}>` : 'an admin'}.`,
  );
}

export async function setPaused(trx: Transaction<Database>, paused: boolean, by: string, reason: string, now: Date): Promise<void> {
  await putSetting(trx, KEY, { paused, reason: reason.slice(0, 300) }, by, now);
}
