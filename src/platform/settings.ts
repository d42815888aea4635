import type { Transaction } from 'kysely';
import type { Database } from './db-schema.ts';
import type { Db } from './db.ts';

/** The settings table: one JSON value per key, with who wrote it last and when. */

type DbOrTrx = Db | Transaction<Database>;

export async function putSetting(db: DbOrTrx, key: string, value: unknown, by: string | null, now: Date): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updated_by: by, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_by: by, updated_at: now }))
    .execute();
}

/** The stored value (as written; no checks), or undefined when the key was never written. */
export async function getSetting<T>(db: DbOrTrx, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value as T | undefined;
}
