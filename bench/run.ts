/**
 * `npm run bench`: every bench/*.bench.ts in a process of its own, one after another; each prints its
 * result as the last line of its stdout (bench/lib/report.ts). Writes bench/RESULTS.md (machine, Node,
 * PostgreSQL, date, every figure with its goal) and exits non-zero if a benchmark crashed (or failed
 * an EXPLAIN check). A missed goal is reported, not a crash.
 *
 *   npm run bench                     all of them
 *   npx node bench/run.ts ack home    only those (the RESULTS.md then lists only them)
 *   BENCH_QUICK=1 npm run bench       a few seconds of load each: checks that they work (not figures;
 *                                     written to bench/RESULTS.quick.md, never over RESULTS.md)
 *
 * What users feel, each against its goal: ack (ack p99, click → visible, web memory), capacity (the
 * highest rate one web process sustains), burst (500 simultaneous commands), launch (submission → the
 * DM says ready, worker memory), startup (web, worker and local mode start-up, local mode memory); then
 * the query benchmarks (catalog-search, home, digest); last the warm pool (pool, ~40 min) and bookings
 * (booking, ~20 min).
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { withAdmin } from '../test/harness/postgres.ts';
import type { BenchResult, Figure } from './lib/report.ts';

const DIR = fileURLToPath(new URL('.', import.meta.url));
// The pool benchmark runs 300 minutes of model time at 10× (and a real-time check): ~40 min.
// Bookings: a simulated 9-hour day at 40× (and a check at 4×): ~20 min.
const TIMEOUT_MS: Record<string, number> = { pool: 60 * 60_000, booking: 40 * 60_000 };
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
// The usual order: request path first, then jobs, then the query benchmarks.
const ORDER = ['ack', 'capacity', 'burst', 'body-flood', 'launch', 'startup', 'catalog-search', 'home', 'digest', 'pool', 'booking'];
const QUICK = ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');

interface Outcome {
  name: string;
  seconds: number;
  result?: BenchResult;
  crash?: string;
}

function benchNames(filter: string[]): string[] {
  const all = readdirSync(DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return all.filter((n) => filter.length === 0 || filter.includes(n)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function runOne(name: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${DIR}${name}.bench.ts`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const limitMs = TIMEOUT_MS[name] ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = Math.round((performance.now() - started) / 1000);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0)
        return resolve({
          name,
          seconds,
          crash: signal ? `killed (${signal}${signal === 'SIGKILL' ? `, over ${limitMs / 60_000} min` : ''})` : `exit code ${code}`,
        });
      try {
        resolve({ name, seconds, result: JSON.parse(last) as BenchResult });
      } catch {
        resolve({ name, seconds, crash: `no result line on stdout (last line: ${last.slice(0, 200)})` });
      }
    });
  });
}

async function postgresVersion(): Promise<string> {
  try {
    return await withAdmin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
  } catch (err) {
    return `unreachable (${(err as Error).message})`;
  }
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function figureRow(f: Figure): string {
  const verdict = f.pass === undefined ? '' : f.pass ? 'pass' : '**FAIL**';
  return `| ${cell(f.name)} | ${cell(`${f.value}${f.unit && f.unit !== '×' ? ` ${f.unit}` : (f.unit ?? '')}`)} | ${cell(f.goal ?? '')} | ${verdict} |`;
}

function markdown(outcomes: Outcome[], machine: string[]): string {
  const lines = ['# Benchmark results', '', 'Written by `npm run bench` (bench/run.ts); each benchmark also runs alone: `npx node bench/<name>.bench.ts`.', ''];
  if (QUICK)
    lines.push(
      '**QUICK MODE (BENCH_QUICK=1): a few seconds of load per benchmark, to check that they run. These are not the figures; run `npm run bench` on a quiet machine for them.**',
      '',
    );
  lines.push('## Machine', '', ...machine.map((m) => `- ${m}`), '');
  const missed = outcomes.flatMap((o) => (o.result?.figures ?? []).filter((f) => f.pass === false).map((f) => `${o.name}: ${f.name}`));
  const crashed = outcomes.filter((o) => o.crash);
  lines.push('## Summary', '');
  lines.push(`- ${outcomes.length} benchmarks, ${crashed.length} crashed${crashed.length ? ` (${crashed.map((o) => o.name).join(', ')})` : ''}.`);
  lines.push(`- Goals missed: ${missed.length ? missed.join('; ') : 'none'}.`, '');
  for (const o of outcomes) {
    lines.push(`## ${o.name} (${o.seconds} s)`, '');
    if (o.crash) {
      lines.push(`**CRASHED**: ${o.crash}. Its output is in the run's stderr.`, '');
      continue;
    }
    lines.push('| Figure | Value | Goal | Result |', '|---|---|---|---|', ...o.result!.figures.map(figureRow), '');
    if (o.result!.notes.length) lines.push(...o.result!.notes.map((n) => `- ${n}`), '');
  }
  return `${lines.join('\n')}\n`;
}

const names = benchNames(process.argv.slice(2));
if (names.length === 0) {
  process.stderr.write(`no benchmark matches ${process.argv.slice(2).join(' ')}\n`);
  process.exit(2);
}
const startedAt = new Date();
const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const outcomes: Outcome[] = [];
for (const name of names) {
  process.stderr.write(`\n=== ${name}\n`);
  const o = await runOne(name);
  outcomes.push(o);
  process.stderr.write(`=== ${name}: ${o.crash ? `CRASHED (${o.crash})` : 'done'} in ${o.seconds} s\n`);
}
const machine = [
  `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores available`,
  `Memory: ${Math.round(totalmem() / 2 ** 30)} GiB`,
  `Node ${process.version}, PostgreSQL ${await postgresVersion()} (127.0.0.1:5432)`,
  `Date: ${startedAt.toISOString()}; total ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s`,
  `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} — a shared machine's other work shows in the latencies.`,
];
const file = QUICK ? 'RESULTS.quick.md' : 'RESULTS.md';
writeFileSync(`${DIR}${file}`, markdown(outcomes, machine));
process.stderr.write(`\nwrote bench/${file}\n`);
process.exit(outcomes.some((o) => o.crash) ? 1 : 0);
