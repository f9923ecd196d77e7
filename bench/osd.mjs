#!/usr/bin/env node
// `npm run bench:osd` (issue 11): the OS deployment benchmark's parts, each writing its own key
// of bench/results/osd.json with the command that produced it.
//   multicast  bench/osd-multicast.mjs: one file to N clients by multicast vs N unicast downloads
//   apply      bench/osd-apply.mjs: the apply-image step vs a plain extraction (target >= 90 %)
//   vm         bench/osd-vm.mjs: power-on to enrolled for one UEFI VM by PXE (minutes under TCG)
// Default: multicast and apply; --vm adds the VM part; --multicast-only, --apply-only and
// --vm-only run one part. Other options go to the parts that take them (--size-mb, --clients;
// --source, --runs; --out to all).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    vm: { type: 'boolean', default: false },
    'multicast-only': { type: 'boolean', default: false },
    'apply-only': { type: 'boolean', default: false },
    'vm-only': { type: 'boolean', default: false },
    'size-mb': { type: 'string' },
    clients: { type: 'string' },
    source: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
  },
});
const only = ['multicast', 'apply', 'vm'].filter((p) => values[`${p}-only`]);
const parts = only.length > 0 ? only : ['multicast', 'apply', ...(values.vm ? ['vm'] : [])];
const pass = (names) =>
  names.flatMap((n) => (values[n] === undefined ? [] : [`--${n}`, values[n]]));
const args = {
  multicast: pass(['size-mb', 'clients', 'out']),
  apply: pass(['source', 'runs', 'out']),
  vm: pass(['out']),
};
for (const part of parts) {
  const run = spawnSync(process.execPath, [join(here, `osd-${part}.mjs`), ...args[part]], {
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
