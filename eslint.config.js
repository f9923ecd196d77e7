// ESLint: typescript-eslint with type information for package sources (the console included),
// plain rules for tests, end-to-end suites and scripts.
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
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: typeCheckedRules,
  },
  {
    // Test support (fixtures, builders, harnesses) is code other tests lean on: the same
    // type-checked rules as src, through tsconfig.test.json (tests are not in the build).
    files: ['packages/*/test/support/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
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
