#!/usr/bin/env node
// ESLint over the whole repository in two halves that `npm test` runs side by side (ADR 0101).
// Typed linting is one core's work per process: a single `eslint .` kept one core busy for minutes
// after the tests' type check and the unit tests (the other jobs of that stage) had ended. The
// halves build disjoint TypeScript programs (`projectService` makes one per package tsconfig, the
// workspace packages see each other through their built `.d.ts`), so splitting costs no second
// type check of the same files. The second half is `.` with the first half's folders ignored, so
// the two together lint exactly what `eslint .` lints, whatever is added to the repository.
//
//   node scripts/lint.mjs server   the server's, the protocol's and the simulator's sources
//   node scripts/lint.mjs rest     everything else (agent, CLI, console, tests, scripts, bench)
//
// Extra arguments go to ESLint (`--stats`, `-f json -o file`, ...). Exits with ESLint's code.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The first half: the server's program is the largest; protocol and simulator balance it. */
const SERVER_HALF = ['packages/server', 'packages/protocol', 'packages/simulator'];

const [half, ...extra] = process.argv.slice(2);
const args =
  half === 'server'
    ? SERVER_HALF
    : half === 'rest'
      ? ['.', ...SERVER_HALF.flatMap((folder) => ['--ignore-pattern', `${folder}/**`])]
      : undefined;
if (args === undefined) {
  console.error('usage: node scripts/lint.mjs server|rest [eslint options]');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const eslintBin = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const child = spawn(process.execPath, [eslintBin, ...args, ...extra], { stdio: 'inherit' });
child.on('close', (code, signal) => {
  if (signal) console.error(`eslint ended by ${signal}`);
  process.exit(code ?? 1);
});
