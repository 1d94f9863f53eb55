// ESLint (flat config): `npm run lint`, and the `lint` stage of scripts/test.sh. @eslint/js's
// recommended rules over every hand-written JavaScript file: the package (js/), its unit tests,
// the local tenant, the test suites and their pages, the benchmark, the demo and the build
// scripts. TypeScript and Vue files are tsc's (tests/types, the framework apps' own builds).
// Each group names the globals of where its code runs: the package and the pages in a browser
// (the package also in Node, where it checks before it reaches for a browser global), the rest in
// Node, whose test files also hand functions to the browser (Playwright's page.evaluate).
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    // Built or generated: the package (dist/, pkg/), Rust's target/, test and bench output.
    ignores: ['dist/', 'pkg/', 'target/', 'test-output/', 'bench/results/', '**/dist/']
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { dropped: _dropped, ...rest } = obj` is how this code leaves a property out.
      'no-unused-vars': ['error', { ignoreRestSiblings: true }]
    }
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.jsx'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      parserOptions: { ecmaFeatures: { jsx: true } }
    }
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node }
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: globals.node }
  },
  {
    // Runs in the page: the package, the test and bench pages, the demo, the framework apps.
    files: ['js/*.js', '**/pages/**', 'bench/stub/**', 'www/**', 'tests/frameworks/apps/**'],
    languageOptions: { globals: globals.browser }
  },
  {
    // Runs in Node, and hands functions to the page.
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } }
  }
];
