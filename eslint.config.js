// ESLint: typescript-eslint with type information for package sources (the console included),
// plain rules for tests, end-to-end suites and scripts.
import tseslint from 'typescript-eslint';

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
    rules: {
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
    },
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
