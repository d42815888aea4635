import { fileURLToPath } from 'node:url';
import pg from 'pg';
import ts from 'typescript';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openPostgres } from '../../src/platform/db.ts';
import { migrateToLatest } from '../../src/platform/migrations.ts';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.ts';

/**
 * src/platform/db-schema.ts (Kysely's Database interface) against a freshly migrated PostgreSQL: the
 * same tables and columns, each with the JavaScript type node-pg gives for its SQL type, and the same
 * nullability. A column added to a migration but not to the interface (or the reverse) fails here.
 */

interface Column {
  /** What a select returns, as node-pg delivers it: string, number, boolean, Date, unknown (JSON), string[]… */
  js: string;
  /** undefined: the interface says unknown (JSON), which allows null. */
  nullable: boolean | undefined;
}
type Schema = Record<string, Record<string, Column>>;

// node-pg's default parsers: int8 and numeric come as strings (no precision lost), dates as Date.
const PG_TO_JS: Record<string, string> = {
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  uuid: 'string',
  tsvector: 'string',
  inet: 'string',
  citext: 'string',
  numeric: 'string',
  int8: 'string',
  int2: 'number',
  int4: 'number',
  float4: 'number',
  float8: 'number',
  bool: 'boolean',
  timestamptz: 'Date',
  timestamp: 'Date',
  date: 'Date',
  json: 'unknown',
  jsonb: 'unknown',
};

/** Reads the Database interface with the compiler, resolving Generated<>, ColumnType<> and aliases. */
function interfaceSchema(): Schema {
  const file = fileURLToPath(new URL('../../src/platform/db-schema.ts', import.meta.url));
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2024,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    allowImportingTsExtensions: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const database = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Database');
  if (!database) throw new Error('db-schema.ts has no Database interface');

  const typeOf = (symbol: ts.Symbol) => checker.getTypeOfSymbolAtLocation(symbol, database);
  const parts = (t: ts.Type): ts.Type[] => (t.isUnion() ? t.types : [t]);
  // ColumnType<S, I, U> (and Generated<S>) is { __select__: S, … }: a select returns S.
  const selected = (t: ts.Type): ts.Type[] =>
    parts(t).flatMap((p) => {
      const select = p.getProperty('__select__');
      return select ? parts(typeOf(select)) : [p];
    });
  const jsName = (t: ts.Type): string => {
    if (t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) return 'unknown';
    if (t.flags & ts.TypeFlags.StringLike) return 'string';
    if (t.flags & ts.TypeFlags.NumberLike) return 'number';
    if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
    if (checker.isArrayType(t)) return `${jsName(checker.getTypeArguments(t as ts.TypeReference)[0]!)}[]`;
    return checker.typeToString(t); // Date, or something this test does not know (and will report)
  };

  const schema: Schema = {};
  for (const table of checker.getTypeAtLocation(database).getProperties()) {
    const columns: Record<string, Column> = {};
    for (const column of typeOf(table).getProperties()) {
      const types = selected(typeOf(column));
      const values = types.filter((p) => !(p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
      const js = [...new Set(values.map(jsName))].join(' | ');
      columns[column.name] = { js, nullable: js === 'unknown' ? undefined : values.length < types.length };
    }
    schema[table.name] = columns;
  }
  return schema;
}

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase({ empty: true });
  const h = openPostgres(tdb.url);
  try {
    await migrateToLatest(h.db);
  } finally {
    await h.close();
  }
});
afterAll(async () => tdb?.drop());

/** Every table and column the migrations made, outside pg-boss's schema and kysely's own tables. */
async function databaseSchema(): Promise<{ schema: Schema; elsewhere: string[] }> {
  const client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  const rows = await (async () => {
    try {
      const { rows } = await client.query<{ table_schema: string; table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
        `SELECT table_schema, table_name, column_name, udt_name, is_nullable FROM information_schema.columns
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%' AND table_schema <> 'pgboss'
            AND table_name NOT IN ('kysely_migration', 'kysely_migration_lock')
          ORDER BY table_schema, table_name, ordinal_position`,
      );
      return rows;
    } finally {
      await client.end();
    }
  })();
  const schema: Schema = {};
  const elsewhere: string[] = [];
  for (const r of rows) {
    if (r.table_schema !== 'public') {
      elsewhere.push(`${r.table_schema}.${r.table_name}`);
      continue;
    }
    const js = r.udt_name.startsWith('_') ? `${PG_TO_JS[r.udt_name.slice(1)] ?? r.udt_name.slice(1)}[]` : (PG_TO_JS[r.udt_name] ?? `(${r.udt_name})`);
    (schema[r.table_name] ??= {})[r.column_name] = { js, nullable: r.is_nullable === 'YES' };
  }
  return { schema, elsewhere: [...new Set(elsewhere)] };
}

test('the migrated database has exactly the tables and columns of db-schema.ts, with compatible types and nullability', async () => {
  const declared = interfaceSchema();
  const { schema: actual, elsewhere } = await databaseSchema();
  expect(Object.keys(declared).length).toBeGreaterThan(10); // the compiler found the interface

  expect(elsewhere, 'tables outside the public schema (other than pg-boss)').toEqual([]);
  expect(
    Object.keys(actual).filter((t) => !declared[t]),
    'tables in the database that db-schema.ts lacks',
  ).toEqual([]);
  expect(
    Object.keys(declared).filter((t) => !actual[t]),
    'tables in db-schema.ts that no migration creates',
  ).toEqual([]);

  const problems: string[] = [];
  for (const [table, columns] of Object.entries(declared)) {
    const db = actual[table] ?? {};
    for (const name of Object.keys(db)) if (!columns[name]) problems.push(`${table}.${name}: in the database, not in db-schema.ts`);
    for (const [name, want] of Object.entries(columns)) {
      const got = db[name];
      if (!got) {
        problems.push(`${table}.${name}: in db-schema.ts, not in the database`);
        continue;
      }
      if (got.js !== want.js) problems.push(`${table}.${name}: db-schema.ts says ${want.js}, the database gives ${got.js}`);
      if (want.nullable !== undefined && got.nullable !== want.nullable) {
        problems.push(`${table}.${name}: ${got.nullable ? 'nullable' : 'NOT NULL'} in the database, ${want.nullable ? '' : 'not '}nullable in db-schema.ts`);
      }
    }
  }
  expect(problems).toEqual([]);
});
