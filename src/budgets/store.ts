import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database } from '../platform/db-schema.ts';

type DbOrTrx = Db | Transaction<Database>;

export interface Override {
  maxRunning: number | null;
  monthlyLimit: number | null;
}

export async function getOverride(db: DbOrTrx, userId: string): Promise<Override | null> {
  const row = await db.selectFrom('budgets').select(['max_running', 'monthly_cost_limit']).where('user_id', '=', userId).executeTakeFirst();
  return row ? { maxRunning: row.max_running, monthlyLimit: row.monthly_cost_limit === null ? null : Number(row.monthly_cost_limit) } : null;
}

export async function setOverride(db: DbOrTrx, userId: string, o: Override, actorId: string, now: Date): Promise<void> {
  await db
    .insertInto('budgets')
    .values({ user_id: userId, max_running: o.maxRunning, monthly_cost_limit: o.monthlyLimit, updated_by: actorId, updated_at: now })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ max_running: o.maxRunning, monthly_cost_limit: o.monthlyLimit, updated_by: actorId, updated_at: now }),
    )
    .execute();
}

export async function clearOverride(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('budgets').where('user_id', '=', userId).execute();
}

/**
 * Serialise a user's launches (two clicks, two replicas) for the rest of the transaction, so the
 * limits are checked against what the other launch committed.
 */
export async function lockUser(trx: Transaction<Database>, userId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('demo-vm-budget'), hashtext(${userId}))`.execute(trx);
}

/**
 * A user's demos that hold a VM (or will: a booking holds its place from the moment it is booked):
 * counted against the running limit and reserved cost.
 */
export async function liveDemos(
  db: DbOrTrx,
  userId: string,
): Promise<Array<{ machineType: string; zone: string; expiresAt: Date; readyBy: Date | null; state: string }>> {
  const rows = await db
    .selectFrom('demos')
    .select(['machine_type', 'zone', 'expires_at', 'ready_by', 'state'])
    .where('owner_id', '=', userId)
    .where('state', 'in', ['booked', 'provisioning', 'running', 'saving'])
    .execute();
  return rows.map((r) => ({ machineType: r.machine_type, zone: r.zone, expiresAt: r.expires_at, readyBy: r.ready_by, state: r.state }));
}
