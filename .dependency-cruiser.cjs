// @ts-check
// The architecture's boundaries (docs: /work/shared/DESIGN.md "Shape"), checked by `npm run lint`.
// .dependency-cruiser-web.cjs checks the web role's static imports in a second cruise.

const CAPABILITIES = '(accounting|audit|budgets|catalog|comments|demos|exports|home|machine-types|prices|sharing)';
const CAPABILITY = `^src/${CAPABILITIES}(/|$)`; // a module in one, or (folder scope) the folder itself
// A capability's own adapters around Google libraries, loaded by its worker with import().
const CAPABILITY_ADAPTERS = '^src/(exports/(cloud-build|storage)|prices/billing)[.]ts$';
const GOOGLE = ['^node_modules/@google-cloud/', '^node_modules/google-gax/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'src-not-to-sim',
      comment: 'sim/ holds the fakes of the far ends; only the start-up module (src/run.ts) wires them in.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/run[.]ts$' },
      to: { path: '^sim/' },
    },
    {
      name: 'capability-not-to-concrete-adapter',
      comment: 'Capabilities use ports (platform/compute/port.ts); the Google clients are the composition root’s business.',
      severity: 'error',
      from: { path: CAPABILITY, pathNot: CAPABILITY_ADAPTERS },
      to: { path: '^src/platform/compute/(gce|gce-endpoint)[.]ts$' },
    },
    {
      name: 'capability-not-to-google',
      comment: 'Google client libraries stay in adapters; a capability only wraps them in its own adapter files.',
      severity: 'error',
      from: { path: CAPABILITY, pathNot: CAPABILITY_ADAPTERS },
      to: { path: GOOGLE },
    },
    {
      name: 'capability-adapter-dynamic-only',
      comment: 'A capability’s Google adapters are loaded with import() by the worker, so the web role never loads them.',
      severity: 'error',
      from: {},
      to: { path: CAPABILITY_ADAPTERS, dynamic: false, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-capability-folder-cycles',
      comment: 'Capabilities talk through services or context events; folder A → B → A (transitively) is a cycle.',
      severity: 'error',
      scope: 'folder',
      from: { path: CAPABILITY },
      to: { path: CAPABILITY, circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'Module cycles in src/ make load order and reasoning fragile; type-only imports are erased, so they do not count.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are reported too ("specify"): an adapter's types still tie a capability to it.
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
