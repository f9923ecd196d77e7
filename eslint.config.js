// ESLint: typescript-eslint's strict type-checked set for package sources (the console included) and
// test support, plain rules for tests, end-to-end suites and scripts.
import tseslint from 'typescript-eslint';

/** The rules of code linted with type information: package sources and test support. */
const typeCheckedRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
  '@typescript-eslint/switch-exhaustiveness-check': [
    'error',
    { considerDefaultExhaustiveForUnions: true },
  ],
  '@typescript-eslint/no-explicit-any': 'error',
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
  '@typescript-eslint/require-await': 'off',
  '@typescript-eslint/no-redundant-type-constituents': 'off',
  // Options tuned from the strict set's defaults, each where the default flags idiomatic code here
  // and the tuned rule still catches the bug it exists for.
  // Numbers interpolate as their decimal text, which is what every message and path here wants;
  // `undefined`, `null`, objects, booleans and arrays still fail ("undefined" in a message is the
  // bug this rule exists for).
  '@typescript-eslint/restrict-template-expressions': [
    'error',
    {
      allowAny: false,
      allowBoolean: false,
      allowNever: false,
      allowNullish: false,
      allowNumber: true,
      allowRegExp: false,
    },
  ],
  // `onClick={() => setOpen(false)}` and `.then(() => done())` are the idiom for callbacks whose
  // result nobody reads; a void value used in a statement, a `return` or an expression still fails.
  '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
};

/**
 * Package sources only: no type assertions (`as const` stays allowed). Data from outside —
 * JSON, HTTP bodies, rows, files, environment, process messages — is parsed and checked instead;
 * the few assertions that are internal type plumbing carry a disable comment saying why.
 */
const sourceOnlyRules = {
  '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'bench/results/**',
      'test-results/**',
      '**/*.d.ts',
      'packages/console/*.config.*',
      '**/bin/*.js',
    ],
  },
  {
    files: ['packages/*/src/**/*.ts', 'packages/console/src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: { ...typeCheckedRules, ...sourceOnlyRules },
  },
  {
    // Test support (fixtures, builders, harnesses) is code other tests lean on: the same
    // type-checked rules as src, through tsconfig.test.json (tests are not in the build).
    files: ['packages/*/test/support/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: typeCheckedRules,
  },
  {
    files: [
      '**/*.test.ts',
      '**/*.test.tsx',
      'packages/console/e2e/**/*.ts',
      'test-support/**/*.ts',
      'packages/*/test/**/*.ts',
      'bench/**/*.{ts,mjs}',
      'scripts/**/*.mjs',
    ],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
