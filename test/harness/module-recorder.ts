/**
 * Preloaded into an app process (`--import` this file) with DEMO_VM_MODULE_LOG=<file>: every module
 * the process resolves, by import or require, is appended to that file as a URL. Node's public
 * synchronous module hooks (module.registerHooks) see both loaders.
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env['DEMO_VM_MODULE_LOG'];
if (file) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      appendFileSync(file, `${resolved.url}\n`);
      return resolved;
    },
  });
}

export const MODULE_RECORDER = new URL(import.meta.url).pathname;
