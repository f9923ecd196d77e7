#!/usr/bin/env node
// OS deployment benchmark, apply part (issue 11): the apply-image step's throughput against a
// plain extraction of the same archive to the same kind of target (target: at least 90 %),
// medians of --runs alternating runs. Needs root (loop devices, mount). Writes the "apply" part
// of bench/results/osd.json (or --out) with its command.
//
//   node bench/osd-apply.mjs [--source /usr/include] [--runs 5]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importBundledTs } from './lib/bundled-ts.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    source: { type: 'string', default: '/usr/include' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
if (process.getuid?.() !== 0) {
  console.error('bench:osd apply needs root (loop devices, mount)');
  process.exit(2);
}
const { runOsdApplyBench } = await importBundledTs(root, 'osd-apply-run');
const result = await runOsdApplyBench({ source: values.source, runs: Number(values.runs) });
const out = values.out ?? join(root, 'bench/results/osd.json');
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
previous.apply = {
  command: `npm run bench:osd -- --apply-only --source ${values.source} --runs ${values.runs}`,
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, kernel: release(), node: process.version },
  targetRatio: 0.9,
  ...result,
};
writeFileSync(out, `${JSON.stringify(previous, null, 2)}\n`);
console.log(JSON.stringify(previous.apply, null, 2));
