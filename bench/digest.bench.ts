/**
 * The weekly digest for a large org: 10,000 users and 1,000,000 usage intervals on PostgreSQL.
 *
 * Load (not measured): one demo per user, 100 intervals each spread over the year before "now" (1 to
 * 8 hours, never overlapping), 5% of the demos still running — bulk-loaded with generate_series
 * through the real schema (exclusion constraint and indexes included), then VACUUM ANALYZE, as
 * autovacuum would leave a table that size.
 *
 * Measured: the digest's data (per-user hours and cost for the week and the week before, top images,
 * running VMs: src/accounting/digest-data.ts) plus its message blocks and the full CSV, cold once and
 * warm 5 times; and the chart render. Goal: under 1 s. The usage query's plan must use the
 * usage_period index — the bench fails if it does not. Peak memory: this process's RSS while digesting.
 *
 *   npx node bench/digest.bench.ts        (USERS=…, INTERVALS_PER_USER=… to change the size)
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { sql } from 'kysely';
import { renderHoursChart } from '../src/accounting/chart.ts';
import { computeDigest } from '../src/accounting/digest-data.ts';
import { digestCsv, digestMessage, TOP_USERS } from '../src/accounting/digest-views.ts';
import { previousPeriod, weekOf } from '../src/accounting/periods.ts';
import { usageSummarySql } from '../src/accounting/store.ts';
import { openPostgres, type Db } from '../src/platform/db.ts';
import { migrateToLatest } from '../src/platform/migrations.ts';
import { databaseUrl, withAdmin } from '../test/harness/postgres.ts';
import { progress, result, round, runMain, summarize, timeSequential } from './lib/report.ts';

const USERS = Number(process.env.USERS ?? 10_000);
const PER_USER = Number(process.env.INTERVALS_PER_USER ?? 100);
const NOW = new Date('2026-03-11T12:00:00Z');
const ZONE = 'Europe/Paris';
const GOAL_MS = 1_000;
const INDEX = 'usage_period';

async function load(db: Db): Promise<void> {
  const year = 365 * 24; // hours
  const spacing = year / PER_USER; // ≥ 87.6 h between starts for 100 per user; an interval lasts ≤ 8 h
  if (spacing < 10) throw new Error('INTERVALS_PER_USER too high: intervals would overlap');
  await sql`
    INSERT INTO images (id, project, gce_name, title, owner_id, visibility, origin, created_at, updated_at)
    SELECT md5('img' || g)::uuid, 'bench', 'img-' || g, 'Bench image ' || g, NULL, 'official', 'published', ${NOW}, ${NOW}
    FROM generate_series(1, 100) g`.execute(db);
  await sql`
    INSERT INTO demos (id, owner_id, image_id, instance_name, zone, machine_type, state, progress, expires_at, created_at, updated_at)
    SELECT md5('demo' || g)::uuid, 'U' || lpad(g::text, 8, '0'), md5('img' || (g % 100 + 1))::uuid, 'demo-' || md5('demo' || g),
           (ARRAY['us-central1-a', 'us-east1-b', 'europe-west1-b', 'asia-east1-a'])[g % 4 + 1],
           (ARRAY['e2-medium', 'e2-standard-2', 'n2-standard-4', 'custom-2-4096'])[g % 4 + 1],
           CASE WHEN g % 20 = 0 THEN 'running' ELSE 'stopped' END, CASE WHEN g % 20 = 0 THEN 'ready' ELSE 'idle' END,
           ${NOW}::timestamptz + interval '1 day', ${NOW}, ${NOW}
    FROM generate_series(1, ${USERS}) g`.execute(db);
  // Indexes and the exclusion constraint are built once after the load (as a restore does) rather
  // than row by row: same schema in the end, minutes faster.
  const indexes = await sql<{ name: string; def: string }>`
    SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index i
    WHERE indrelid = 'usage_intervals'::regclass AND NOT indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`.execute(db);
  const constraints = await sql<{ name: string; def: string }>`
    SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'usage_intervals'::regclass AND contype = 'x'`.execute(db);
  for (const c of constraints.rows) await sql`ALTER TABLE usage_intervals DROP CONSTRAINT ${sql.id(c.name)}`.execute(db);
  for (const i of indexes.rows) await sql`DROP INDEX ${sql.id(i.name)}`.execute(db);
  // Interval k of user g starts at k × spacing plus a per-user offset (< spacing − 8 h), lasts 1–8 h;
  // the last one of every 20th user is still open.
  await sql`
    INSERT INTO usage_intervals (demo_id, user_id, image_id, machine_type, zone, started_at, ended_at)
    SELECT d.id, d.owner_id, d.image_id, d.machine_type, d.zone, s.started_at,
           CASE WHEN k = ${PER_USER - 1} AND d.state = 'running' THEN NULL ELSE s.started_at + ((1 + (g * 31 + k) % 8) * interval '1 hour') END
    FROM generate_series(1, ${USERS}) g
    JOIN demos d ON d.id = md5('demo' || g)::uuid
    CROSS JOIN generate_series(0, ${PER_USER - 1}) k
    CROSS JOIN LATERAL (SELECT ${NOW}::timestamptz - interval '${sql.raw(String(year))} hours'
      + (k * ${spacing}::float8 + (g * 7919) % ${Math.floor(spacing - 9)}) * interval '1 hour' AS started_at) s`.execute(db);
  for (const i of indexes.rows) await sql.raw(i.def).execute(db);
  for (const c of constraints.rows) await sql`ALTER TABLE usage_intervals ADD CONSTRAINT ${sql.id(c.name)} ${sql.raw(c.def)}`.execute(db);
  await sql`VACUUM ANALYZE usage_intervals`.execute(db);
  await sql`ANALYZE demos`.execute(db);
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function indexScans(node: PlanNode): string[] {
  const here = node['Index Name'] ? [`${node['Node Type']} on ${node['Index Name']}`] : [];
  return [...here, ...(node.Plans ?? []).flatMap(indexScans)];
}

/**
 * A fresh database, loaded and dropped at the end. KEEP_DATABASE=1 keeps it (under a name the test
 * suite's clean-up leaves alone) for BENCH_DATABASE_URL=… to measure again without loading.
 */
async function database(): Promise<{ db: Db; rows: number; close(): Promise<void> }> {
  const reuse = process.env.BENCH_DATABASE_URL;
  const keep = process.env.KEEP_DATABASE === '1';
  let url = reuse;
  let drop = async () => {};
  if (!url) {
    const name = `demo_vm_bench_digest_${randomBytes(3).toString('hex')}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    url = databaseUrl(name);
    drop = () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
    // The app's pool stops statements after 30 s; a bulk load may take longer.
    const loader = openPostgres(url, { max: 1, statementTimeoutMs: 0 });
    try {
      await migrateToLatest(loader.db);
      progress(`loading ${USERS.toLocaleString('en')} users × ${PER_USER} intervals…`);
      const t0 = performance.now();
      await load(loader.db);
      progress(`loaded in ${round((performance.now() - t0) / 1000)} s`);
    } finally {
      await loader.close();
    }
    if (keep) progress(`kept: BENCH_DATABASE_URL=${url}`);
  }
  const handle = openPostgres(url);
  const rows = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM usage_intervals`.execute(handle.db)).rows[0]!.n);
  return { db: handle.db, rows, close: async () => (await handle.close(), reuse || keep ? undefined : drop()) };
}

async function main(): Promise<void> {
  const r = result('digest');
  const { db, rows, close } = await database();
  try {
    const week = previousPeriod(weekOf(NOW, ZONE));
    const previous = previousPeriod(week);
    const query = usageSummarySql({ start: week.start, end: week.end, now: NOW, previousStart: previous.start }).compile(db);
    const explain = await db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>({ ...query, sql: `EXPLAIN (FORMAT JSON) ${query.sql}` });
    const scans = indexScans(explain.rows[0]!['QUERY PLAN'][0]!.Plan);
    progress(`plan: ${scans.join(', ') || 'no index scan'}`);
    if (!scans.some((s) => s.endsWith(` on ${INDEX}`))) {
      throw new Error(
        `the digest's usage query does not use the ${INDEX} index (plan: ${scans.join(', ') || 'sequential scans only'}); check migrations/0003_accounting.ts`,
      );
    }

    let peakRss = process.memoryUsage().rss;
    const baseRss = peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
    let people = 0;
    const digest = async () => {
      const data = await computeDigest(db, week, NOW);
      digestMessage(data, { late: false, chartFileId: 'F0CHART', csvFilename: 'usage.csv' });
      digestCsv(data);
      people = data.users.length;
      return data;
    };
    const [cold] = await timeSequential(1, digest);
    const cpu0 = process.cpuUsage();
    const warm = summarize(await timeSequential(5, digest));
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / 5;
    const analyzed = await db.executeQuery<{ 'QUERY PLAN': Array<{ 'Execution Time': number }> }>({
      ...query,
      sql: `EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`,
    });
    const serverMs = analyzed.rows[0]!['QUERY PLAN'][0]!['Execution Time'];
    const data = await digest();
    const chartMs = (
      await timeSequential(1, () =>
        renderHoursChart(
          data.users.slice(0, TOP_USERS).map((u) => ({ label: u.userId, value: u.hours })),
          'VM hours per person',
        ),
      )
    )[0]!;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    progress(
      `digest for ${people.toLocaleString('en')} people in the week: cold ${round(cold!)} ms, warm p50 ${round(warm.p50)} ms, max ${round(warm.max)} ms (query ${round(serverMs)} ms in PostgreSQL, ${round(cpuMs)} ms CPU here); chart ${round(chartMs)} ms; peak RSS ${round(peakRss / 2 ** 20)} MB`,
    );
    r.figure({ name: 'intervals', value: rows });
    r.figure({ name: 'users in the digest', value: people });
    r.figure({ name: 'digest, cold', value: round(cold!), unit: 'ms', goal: `< ${GOAL_MS} ms`, pass: cold! < GOAL_MS });
    r.figure({ name: 'digest, warm p50', value: round(warm.p50), unit: 'ms', goal: `< ${GOAL_MS} ms`, pass: warm.p50 < GOAL_MS });
    r.figure({ name: 'digest, warm max', value: round(warm.max), unit: 'ms', goal: `< ${GOAL_MS} ms`, pass: warm.max < GOAL_MS });
    r.figure({ name: 'usage query, server execution', value: round(serverMs), unit: 'ms' });
    r.figure({ name: 'digest, CPU in this process per run', value: round(cpuMs), unit: 'ms' });
    r.figure({ name: 'chart render (20 bars)', value: round(chartMs), unit: 'ms' });
    r.figure({ name: 'peak RSS while digesting', value: round(peakRss / 2 ** 20), unit: 'MB' });
    r.figure({ name: 'RSS growth while digesting', value: round((peakRss - baseRss) / 2 ** 20), unit: 'MB' });
    r.note(`plan of the usage query: ${scans.join(', ')}`);
    r.note(
      `load average during the run: ${loadavg()
        .map((l) => round(l, 2))
        .join(' ')} on ${availableParallelism()} CPUs (wall times grow with it)`,
    );
    r.note(
      `data: ${USERS} users, ${PER_USER} intervals each over a year, 5% still running; week ${week.start.toISOString()}..${week.end.toISOString()} (${ZONE})`,
    );
    r.emit();
  } finally {
    await close();
  }
}

runMain(main);
