#!/usr/bin/env node
// Runs npm scripts at the same time and prints each one's output as a block when it ends, with
// its wall time, so `npm test` overlaps the checks that do not depend on each other (the type
// check of the tests, lint, the unit tests: each mostly one core) on a 2-core machine instead of
// running them one after another. Exits 1 if any of them failed, after all have ended.
//
//   node scripts/parallel.mjs typecheck:test lint:server lint:rest lint:format test:unit
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: node scripts/parallel.mjs <npm script> [<npm script> ...]');
  process.exit(2);
}

function run(script) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' },
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const verdict = code === 0 ? 'passed' : `FAILED (${signal ?? `exit ${String(code)}`})`;
      process.stdout.write(`\n===== npm run ${script}: ${verdict} in ${seconds} s =====\n`);
      process.stdout.write(Buffer.concat(chunks));
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(scripts.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
