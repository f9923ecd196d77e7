#!/usr/bin/env node
// Prints one closing line for the whole `npm test` run ("Tests: N passed, N failed, N skipped")
// from the JSON reports the three Vitest projects write, so CI can read the totals.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const project of ['unit', 'int', 'e2e']) {
  const file = `test-results/vitest-${project}.json`;
  if (!existsSync(file)) {
    console.error(`no report from the ${project} tests (${file})`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
