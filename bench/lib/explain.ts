/**
 * The plans of the app's own queries: a Kysely instance that records every compiled query (so the
 * benchmark explains exactly the SQL the store functions build), and EXPLAIN (FORMAT JSON) checks.
 */
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/platform/db-schema.ts';
import type { Db } from '../../src/platform/db.ts';

export interface RecordingDb {
  db: Db;
  /** Queries compiled since the last take(). */
  take(): CompiledQuery[];
  pool: pg.Pool;
  close(): Promise<void>;
}

export function recordingDb(url: string): RecordingDb {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let seen: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') seen.push(event.query);
    },
  });
  return {
    db,
    pool,
    take: () => {
      const out = seen;
      seen = [];
      return out;
    },
    close: () => db.destroy(),
  };
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

export interface Explained {
  indexes: string[];
  /** Node types, outermost first, e.g. "Limit > Sort > Bitmap Heap Scan > Bitmap Index Scan(images_search)". */
  shape: string;
  seqScans: string[];
}

export async function explain(pool: pg.Pool, q: CompiledQuery): Promise<Explained> {
  const res = await pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.parameters as unknown[]);
  const root = res.rows[0]!['QUERY PLAN'][0]!.Plan;
  const indexes: string[] = [];
  const seqScans: string[] = [];
  const walk = (n: PlanNode): string => {
    if (n['Index Name']) indexes.push(n['Index Name']);
    if (n['Node Type'] === 'Seq Scan') seqScans.push(n['Relation Name'] ?? '?');
    const self = `${n['Node Type']}${n['Index Name'] ? `(${n['Index Name']})` : n['Relation Name'] ? `(${n['Relation Name']})` : ''}`;
    const kids = (n.Plans ?? []).map(walk);
    return kids.length ? `${self} > ${kids.join(' + ')}` : self;
  };
  const shape = walk(root);
  return { indexes, shape, seqScans };
}

/** Throws (the benchmark fails) unless the plan uses the intended index. */
export async function requireIndex(pool: pg.Pool, what: string, q: CompiledQuery, index: string): Promise<Explained> {
  const e = await explain(pool, q);
  if (!e.indexes.includes(index)) throw new Error(`${what}: the plan does not use ${index}: ${e.shape}`);
  return e;
}
