import { Module } from 'node:module';

/**
 * Put a module of our making in the require cache under `path`, as if the file there had loaded:
 * every later `require` of that path (by a dependency) gets it instead. Used to load a dependency's
 * heavy part in a lighter form or on first use. `make` runs only when the file is not loaded yet
 * (too late to stand in for it otherwise); returns the stand-in, or undefined.
 */
export function standIn(require: NodeJS.Require, path: string, make: () => unknown): Module | undefined {
  if (require.cache[path]) return undefined;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = make();
  require.cache[path] = module;
  return module;
}
