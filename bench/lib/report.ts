/**
 * What every benchmark prints: one JSON line (its last line on stdout) that bench/run.ts collects
 * into RESULTS.md. A figure with a goal says whether it met it; a missed goal is a result, not a crash.
 */

export interface Figure {
  name: string;
  value: number | string;
  unit?: string;
  /** Human-readable goal, e.g. "< 100 ms". */
  goal?: string;
  pass?: boolean;
}

export interface BenchResult {
  bench: string;
  figures: Figure[];
  notes: string[];
}

export function result(bench: string): BenchResult & { figure(f: Figure): void; note(s: string): void; emit(): void } {
  const r: BenchResult = { bench, figures: [], notes: [] };
  return {
    ...r,
    figure: (f) => void r.figures.push(f),
    note: (s) => void r.notes.push(s),
    emit: () => process.stdout.write(`${JSON.stringify(r)}\n`),
  };
}

/** Progress for humans, on stderr so stdout's last line stays the result. */
export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (no interpolation), in the samples' unit. */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { n: s.length, p50: rank(50), p95: rank(95), p99: rank(99), max: s.at(-1)!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Run fn n times one after another; each sample in ms. */
export async function timeSequential(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Run a benchmark's main; any throw is a crash (non-zero exit), which run.ts reports as such. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`[bench] FAILED: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
