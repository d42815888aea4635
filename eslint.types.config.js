// @ts-check
// The type-aware rules, run by `npm run typecheck` (they need the TypeScript program tsc builds too).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'test-artifacts/', '.scratch/'] },
  {
    // A promise nobody awaits fails silently (an un-awaited ack, query or job step, or an
    // un-awaited expect(...).rejects in a test, which then passes).
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
