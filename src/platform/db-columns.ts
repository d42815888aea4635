import type { ColumnType } from 'kysely';

/** Column types of db-schema.ts and db-schema-usage.ts: how node-pg reads and Kysely writes them. */

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type Numeric = ColumnType<string, string | number, string | number>;
export type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A bigserial: Generated<Int8> would select as Int8 itself (Kysely unwraps one ColumnType only). */
export type GeneratedInt8 = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
