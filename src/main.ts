/**
 * The entry point (`npm start`). It turns on Node's compile cache before any of our TypeScript
 * loads: type-stripped and compiled modules are kept on disk (in the OS temp directory, keyed by
 * content and Node version), so later starts neither strip again nor load the TypeScript stripper,
 * about 20 MB of resident memory. Where the directory is not writable the app simply runs without it.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./run.ts');
