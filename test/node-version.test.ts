import { expect, test } from 'vitest';

// The project carries its own Node 24 (devDependency `node@24`); a missing binary silently falls back
// to the machine's Node 20, so assert it.
test('tests run on Node 24', () => {
  expect(Number(process.versions.node.split('.')[0])).toBe(24);
});
