// One full inventory in a fresh process, as the agent collects it for a full report (every
// built-in class, the package managers, the software file scan of the default paths), printed
// as JSON: wall time, the process's RSS high-water mark (VmHWM) before and after, and what was
// collected. A fresh process per run, so the high-water mark is this inventory's alone.
//
//   node bench/lib/agent-inventory-probe.mjs <repo root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.argv[2] ?? process.cwd();
const kb = (key) =>
  Number(
    new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ??
      0,
  );
const mb = (n) => Math.round((n / 1024) * 10) / 10;

const t0 = performance.now();
const { collectInventory } = await import(
  pathToFileURL(join(root, 'packages/agent/dist/inventory/collect.js')).href
);
const { DEFAULT_SOFTWARE_SCAN_PATHS } = await import('@steward/protocol');
const loadMs = performance.now() - t0;
const hwmBefore = kb('VmHWM');
const cpu0 = process.cpuUsage();
const t1 = performance.now();
const inv = await collectInventory({
  includeSoftwareScan: true,
  softwareScanPaths: DEFAULT_SOFTWARE_SCAN_PATHS,
});
const ms = performance.now() - t1;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    ms: Math.round(ms),
    loadMs: Math.round(loadMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    hwmBeforeMb: mb(hwmBefore),
    hwmMb: mb(kb('VmHWM')),
    rssMb: mb(kb('VmRSS')),
    classes: Object.keys(inv.classes).length,
    instances: Object.values(inv.classes).reduce((n, list) => n + list.length, 0),
    packages: inv.packages?.length ?? null,
    failures: inv.failures.map((f) => `${f.className}: ${f.error}`),
  }) + '\n',
);
