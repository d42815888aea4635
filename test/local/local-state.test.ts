import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openLocalState } from '../../sim/local-state.ts';

/** DATA_DIR's simulator file decides what a restart keeps: a failed first start must not cost the folder. */
const parent = await mkdtemp(join(tmpdir(), 'demo-vm-state-'));
afterAll(() => rm(parent, { recursive: true, force: true }));

test('a first start that fails after the database was created restores on the next start, nothing moved aside', async () => {
  const dataDir = join(parent, 'first');
  expect((await openLocalState(dataDir)).note).toContain('Local state: new');
  expect(existsSync(join(dataDir, 'simulators.json'))).toBe(true);
  // The database was created, then the start failed before local mode ever saved the simulators.
  await writeFile(join(dataDir, 'PG_VERSION'), '17\n');
  const again = await openLocalState(dataDir);
  expect(again.note).toContain('restored');
  expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  expect((await readdir(parent)).filter((d) => d.startsWith('first-reset-'))).toEqual([]);
});

test('a database from before simulators were kept (no simulators.json) is moved aside whole', async () => {
  const dataDir = join(parent, 'older');
  await openLocalState(dataDir);
  await rm(join(dataDir, 'simulators.json'));
  await writeFile(join(dataDir, 'PG_VERSION'), '17\n');
  expect((await openLocalState(dataDir)).note).toMatch(/could not be restored \(it has no simulators\.json\); it was moved to .*older-reset-/);
  expect(existsSync(dataDir)).toBe(false);
});
