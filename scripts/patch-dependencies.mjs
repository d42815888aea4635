/**
 * Small fixes to installed dependencies, applied after every `npm ci` / `npm install` (postinstall).
 * Each patch replaces an exact piece of a file; a file already patched is left alone, and a file
 * that has neither the original nor the patched text (the dependency changed) fails the install, so
 * an upgrade is looked at instead of silently losing the fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `@slack/web-api` builds its debug lines eagerly: every call deep-copied (redact) and serialized its whole body and result even with debug logging off, the largest allocation of a views.open. Built only when debug is on. */
const debugOnly = (line) => {
  const indent = /^\s*/.exec(line)[0];
  return { find: line, replace: `${indent}if (this.logger.getLevel() === logger_1.LogLevel.DEBUG) ${line.trimStart()}` };
};

const PATCHES = [
  {
    file: 'node_modules/@slack/web-api/dist/WebClient.js',
    edits: [
      debugOnly('        this.logger.debug(`http request result: ${JSON.stringify(redact(result))}`);'),
      debugOnly('            this.logger.debug(`http request body: ${JSON.stringify(redact(body))}`);'),
      debugOnly('            this.logger.debug(`http request headers: ${JSON.stringify(redact(allHeaders))}`);'),
    ],
  },
];

let failed = false;
for (const { file, edits } of PATCHES) {
  const path = `${root}${file}`;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue; // not installed (e.g. a partial install): nothing to patch
  }
  let changed = false;
  for (const { find, replace } of edits) {
    if (text.includes(replace)) continue;
    if (!text.includes(find)) {
      process.stderr.write(`patch-dependencies: ${file} no longer contains:\n  ${find.trim()}\nThe dependency changed: review scripts/patch-dependencies.mjs.\n`);
      failed = true;
      continue;
    }
    text = text.replace(find, replace);
    changed = true;
  }
  if (changed) writeFileSync(path, text);
}
process.exit(failed ? 1 : 0);
