/**
 * A small Dockerfile reader for tests (no Docker engine here): stages, instructions with their
 * --flags, global ARG substitution in FROM, exec-form (JSON) arguments, and .dockerignore matching.
 */

export interface Instruction {
  op: string;
  /** The text after the flags. */
  args: string;
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

const FLAG_OPS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

export function parseDockerfile(text: string): Stage[] {
  const logical: Array<{ text: string; line: number }> = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return; // comment lines inside a continuation
    if (!pending) start = i + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1).trimEnd()} `;
      return;
    }
    logical.push({ text: pending + trimmed, line: start });
    pending = '';
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: l, line } of logical) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(l) ?? [];
    const upper = op.toUpperCase();
    const { flags, args } = FLAG_OPS.has(upper) ? splitFlags(rest) : { flags: {}, args: rest };
    if (upper === 'ARG' && stages.length === 0) {
      const [k = '', v = ''] = args.split('=');
      globalArgs[k.trim()] = v.trim();
      continue;
    }
    if (upper === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string, b: string) => globalArgs[a ?? b] ?? '');
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${line}: ${upper} before FROM`);
    stage.instructions.push({ op: upper, args, flags, line });
  }
  return stages;
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let s = rest;
  for (;;) {
    const m = /^--([\w-]+)(?:=(\S+))?\s+/.exec(s);
    if (!m) break;
    flags[m[1]!] = m[2] ?? 'true';
    s = s.slice(m[0].length);
  }
  return { flags, args: s };
}

/** ["a", "b"] exec form, or a shell-form string. */
export function execForm(args: string): string[] | null {
  if (!args.trim().startsWith('[')) return null;
  return JSON.parse(args) as string[];
}

/** ENV k=v k2="v 2" (the key=value form) of a stage, in order. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.op === 'ENV')) {
    for (const m of ins.args.matchAll(/([\w.-]+)=("([^"]*)"|\S+)/g)) env[m[1]!] = m[3] ?? m[2]!;
  }
  return env;
}

/** COPY sources and destination (shell form, no spaces in paths). */
export function copyPaths(ins: Instruction): { sources: string[]; dest: string } {
  const parts = ins.args.trim().split(/\s+/);
  return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** A .dockerignore as a predicate over context-relative paths (the subset of syntax we use). */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ negate: l.startsWith('!'), re: globToRegExp(l.replace(/^!/, '').replace(/^\/+|\/+$/g, '')) }));
  return (path) => {
    const p = path.replace(/^\.\/|\/+$/g, '');
    let ignored = false;
    for (const r of rules) if (r.re.test(p)) ignored = !r.negate;
    return ignored;
  };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern matching a directory excludes everything under it.
  return new RegExp(`^${re}(/.*)?$`);
}
