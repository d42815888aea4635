// @ts-check
// The web role (ROLE=web) must never load Google's client libraries. What it loads is what its
// entries reach through static imports: dynamic import() edges are dropped (the worker's adapters
// are loaded that way), and TypeScript is transpiled first so that type-only imports, erased at
// run time, do not count. Run by `npm run check:web-imports` (part of `npm run typecheck`, which has no time budget, unlike lint).
const { options } = require('./.dependency-cruiser.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'web-role-not-to-google',
      comment: 'The web role answers Slack and never loads @google-cloud/* or google-gax: reach them only through import().',
      severity: 'error',
      from: { path: '^src/(main|run|app)[.]ts$' },
      to: { path: ['^node_modules/@google-cloud/', '^node_modules/google-gax/'], reachable: true },
    },
  ],
  options: { ...options, tsPreCompilationDeps: false, exclude: { dynamic: true } },
};
