#!/usr/bin/env node
// Top frames of a V8 .cpuprofile (from `node --cpu-prof`): self time per function and total
// (inclusive) time per function, so a benchmark run can say where the server's CPU went.
//   node bench/lib/cpu-profile-top.mjs <file.cpuprofile> [--top 25] [--filter text]
//     [--results bench/results/checkin-sqlite.json --phase inventory]   (only that phase's samples)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    filter: { type: 'string' },
    results: { type: 'string' },
    phase: { type: 'string' },
  },
});
const file = positionals[0];
if (!file) {
  console.error('usage: cpu-profile-top.mjs <file.cpuprofile> [--top N] [--filter text]');
  process.exit(2);
}

/** Self and inclusive milliseconds per function, plus the profile's total. */
export function analyseProfile(profile, window) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfTicks = new Map();
  let t = profile.startTime;
  let count = 0;
  let first;
  let last;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.start || t > window.end)) return;
    first ??= t;
    last = t;
    count++;
    selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
  });
  const totalMs = ((last ?? 0) - (first ?? 0)) / 1000;
  const msPerTick = totalMs / Math.max(1, count);
  const key = (n) => {
    const f = n.callFrame;
    const where = f.url
      ? `${f.url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/.*?\/packages\//, '')}:${f.lineNumber + 1}`
      : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map();
  const inclusive = new Map();
  for (const [id, ticks] of selfTicks) {
    const n = nodes.get(id);
    self.set(key(n), (self.get(key(n)) ?? 0) + ticks);
    // Inclusive: count each function once per sample even when it recurses.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(nodes.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ticks);
    }
  }
  const sorted = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, t]) => ({
        frame: k,
        ms: Math.round(t * msPerTick),
        pct: Math.round((t / Math.max(1, count)) * 1000) / 10,
      }));
  return { totalMs: Math.round(totalMs), self: sorted(self), inclusive: sorted(inclusive) };
}

let window;
if (values.results && values.phase) {
  window = JSON.parse(readFileSync(values.results, 'utf8')).phases[values.phase]?.monotonicWindowUs;
  if (!window)
    throw new Error(`no monotonicWindowUs for phase ${values.phase} in ${values.results}`);
}
const r = analyseProfile(JSON.parse(readFileSync(file, 'utf8')), window);
const top = Number(values.top);
const keep = (x) => !values.filter || x.frame.includes(values.filter);
console.log(`profile: ${r.totalMs} ms wall`);
console.log('\nself time:');
for (const x of r.self.filter(keep).slice(0, top))
  console.log(`${String(x.pct).padStart(5)}%  ${String(x.ms).padStart(7)} ms  ${x.frame}`);
console.log('\ninclusive time:');
for (const x of r.inclusive.filter(keep).slice(0, top))
  console.log(`${String(x.pct).padStart(5)}%  ${String(x.ms).padStart(7)} ms  ${x.frame}`);
