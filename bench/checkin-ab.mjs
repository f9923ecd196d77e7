#!/usr/bin/env node
// Check-in A/B: runs bench/checkin.mjs alternately from two built checkouts of Steward (before
// and after a change) on this machine and writes one JSON with every run, the medians over the
// quiet runs and the after/before ratios (bench/README.md, "A/B comparisons").
//
//   node bench/checkin-ab.mjs --before <checkout> --after <checkout> --out <file>
//        [--devices 2000] [--dialect sqlite] [--order before,after,after,before,before,after]
//        [--runs-dir <dir>]   (re-summarise runs already made there, run nothing)
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    out: { type: 'string' },
    devices: { type: 'string', default: '2000' },
    dialect: { type: 'string', default: 'sqlite' },
    order: { type: 'string', default: 'before,after,after,before,before,after' },
    'runs-dir': { type: 'string' },
  },
});
if (!values.out) throw new Error('--out <file> is required');

const KEYS = [
  'policyRequestsPerSecond',
  'statusMessagesPerSecond',
  'inventoriesPerSecond',
  'nudgeDeliveryP99Ms',
  'serverPeakRssMb',
];
const PHASES = ['policy', 'status', 'inventory'];
// Other processes above this share of a core during a phase make the run noise, not data.
const QUIET_OTHER_CPU_PERCENT = 20;

let runsDir = values['runs-dir'];
if (runsDir === undefined) {
  if (!values.before || !values.after) throw new Error('--before and --after checkouts are needed');
  runsDir = mkdtempSync(join(tmpdir(), 'steward-ab-'));
  const order = values.order.split(',');
  order.forEach((side, i) => {
    const dir = resolve(side === 'before' ? values.before : values.after);
    if (!existsSync(join(dir, 'bench/checkin.mjs')))
      throw new Error(`${dir}: no bench/checkin.mjs`);
    const out = join(runsDir, `${side}-${i + 1}.json`);
    const args = ['bench/checkin.mjs', '--devices', values.devices, '--dialect', values.dialect];
    const r = spawnSync(process.execPath, [...args, '--out', out], { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`run ${i + 1} (${side}) failed`);
  });
}
mkdirSync(runsDir, { recursive: true });

const runOrder = (f) => Number(/-(\d+)\.json$/.exec(f)?.[1] ?? 0);
const sides = { before: [], after: [] };
for (const f of readdirSync(runsDir)
  .filter((f) => /^(before|after)-\d+\.json$/.test(f))
  .sort((a, b) => runOrder(a) - runOrder(b))) {
  const r = JSON.parse(readFileSync(join(runsDir, f), 'utf8'));
  const run = { order: runOrder(f), commit: r.source?.commit };
  for (const k of KEYS) run[k] = r.targets[k].value;
  run.phases = Object.fromEntries(
    PHASES.map((ph) => {
      const p = r.phases[ph];
      return [
        ph,
        {
          unitsPerSecond: p.unitsPerSecond,
          serverCpuMsPer1000: Number(((p.server.cpuSeconds * 1e6) / p.units).toFixed(1)),
          otherProcessesCpuPercent: p.server.otherProcessesCpuPercent,
        },
      ];
    }),
  );
  run.quiet = PHASES.every(
    (ph) => r.phases[ph].server.otherProcessesCpuPercent < QUIET_OTHER_CPU_PERCENT,
  );
  sides[f.startsWith('before') ? 'before' : 'after'].push(run);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quietRuns = (side) =>
  sides[side].some((r) => r.quiet) ? sides[side].filter((r) => r.quiet) : sides[side];
const medians = {};
for (const side of ['before', 'after']) {
  const runs = quietRuns(side);
  medians[side] = { quietRuns: runs.filter((r) => r.quiet).length };
  for (const k of KEYS) medians[side][k] = median(runs.map((r) => r[k]));
  for (const ph of ['status', 'inventory'])
    medians[side][`${ph}ServerCpuMsPer1000`] = median(
      runs.map((r) => r.phases[ph].serverCpuMsPer1000),
    );
}
const ratio = {};
for (const k of Object.keys(medians.before))
  if (k !== 'quietRuns') ratio[k] = Number((medians.after[k] / medians.before[k]).toFixed(3));

const result = {
  benchmark: 'check-in A/B',
  command: `node bench/checkin-ab.mjs ${process.argv.slice(2).join(' ')}`,
  each: `node bench/checkin.mjs --devices ${values.devices} --dialect ${values.dialect} --out <file>, alternated ${values.order}`,
  note: 'medians over the quiet runs (other processes under 20% of a core in every phase; all runs when a side has none); ratio = after / before: lower is better for nudgeDeliveryP99Ms, serverPeakRssMb and server CPU per 1,000 units, higher for the rest',
  before: { commit: sides.before[0]?.commit, runs: sides.before },
  after: { commit: sides.after[0]?.commit, runs: sides.after },
  medians,
  ratio,
};
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ medians, ratio }, null, 1));
