import { defineConfig } from 'vitest/config';

// Three projects: unit (fast, no network), int (real server processes, agents, SQLite and
// PostgreSQL), e2e (Playwright driving Debian's Chromium against a real site).

/**
 * Files run at once. Integration and browser tests spend much of their time waiting on other
 * processes (servers, agents, apt, a VM, the browser), so more files than cores keep the 2-core
 * CI machine busy; STEWARD_INT_WORKERS / STEWARD_E2E_WORKERS override (1 runs them one by one).
 */
function workers(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * The workspace packages' tsc output (`@steward/server`, `@steward/protocol`, ... resolve to
 * packages/<name>/dist through npm's workspace links) is loaded by Node itself, as it is from
 * node_modules, not transformed and evaluated again by vitest's module runner for every file
 * (ADR 0090: an int file's import phase 77 s to 18 s under load; site.ts alone imports the server).
 */
const server = { deps: { external: [/\/packages\/[^/]+\/dist\//] } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          server,
          include: ['packages/*/src/**/*.test.ts', 'test-support/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 20_000,
          // A worker imports the modules once for all the files it runs (ADR 0090: re-importing
          // them for every file was ~half the stage); unit-setup.ts puts back process-wide state.
          isolate: false,
          setupFiles: ['test-support/unit-setup.ts'],
        },
      },
      {
        test: {
          name: 'int',
          server,
          // Migrated database templates, made once per run (test-support/db-template.ts).
          globalSetup: ['test-support/global-setup.ts'],
          include: ['packages/*/src/**/*.int.test.ts', 'packages/*/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: workers('STEWARD_INT_WORKERS', 3),
        },
      },
      {
        test: {
          name: 'e2e',
          server,
          globalSetup: ['test-support/global-setup.ts'],
          include: ['packages/console/e2e/**/*.e2e.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: workers('STEWARD_E2E_WORKERS', 1),
        },
      },
    ],
  },
});
