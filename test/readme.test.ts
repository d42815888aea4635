import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

/** Every environment variable the app reads is documented in the README's Configuration table. */
test('README documents every configuration variable', () => {
  const source = readFileSync('src/config.ts', 'utf8');
  const schema = source.slice(source.indexOf('const envSchema = z.object({'), source.indexOf('});', source.indexOf('const envSchema = z.object({')));
  const names = [...schema.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!).filter((n) => n !== 'DEMO_VM_CRASH_AT');
  expect(names.length).toBeGreaterThan(20);
  const readme = readFileSync('README.md', 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
  expect(names.filter((n) => !documented.has(n))).toEqual([]);
  // And nothing documented that the app does not read.
  expect([...documented].filter((n) => !names.includes(n))).toEqual([]);
});

test('README shows the set-up and test commands', () => {
  const readme = readFileSync('README.md', 'utf8');
  expect(readme).toContain('npm ci && npm start');
  expect(readme).toContain('npm test');
});

test('README lists every /demo subcommand the app registers', async () => {
  const { startTestApp } = await import('./harness/app.ts');
  const t = await startTestApp();
  try {
    const readme = readFileSync('README.md', 'utf8');
    const missing = [...t.app.router.specs.map((s) => `/demo ${s.name}`), ...[...t.app.router.admin.keys()].map((name) => `/demo admin ${name}`)].filter(
      (cmd) => !readme.includes(`\`${cmd}`),
    );
    expect(missing).toEqual([]);
  } finally {
    await t.close();
  }
});
