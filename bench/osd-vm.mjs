#!/usr/bin/env node
// OS deployment benchmark, VM part (issue 11): power-on to enrolled for one UEFI VM by PXE. It
// is the journey test's own harness (packages/server/test/osd-journey-vm.int.test.ts, UEFI case:
// a bridge in a network namespace, dnsmasq DHCP, the DP's ProxyDHCP/TFTP, QEMU with OVMF, the
// default boot and OS images); the test writes its milestones (seconds after power-on) to
// STEWARD_OSD_BENCH_OUT. Minutes under TCG. Needs what the journey needs (root, QEMU, OVMF,
// iPXE, a Debian mirror; see docs/testing-vms.md). Writes the "powerOnToEnrolled" part of
// bench/results/osd.json (or --out) with its command.
//
//   npm run bench:osd -- --vm-only
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { out: { type: 'string' } },
});
const marks = join(mkdtempSync(join(tmpdir(), 'steward-osd-vm-')), 'marks.jsonl');
const started = Date.now();
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--project',
    'int',
    'packages/server/test/osd-journey-vm.int.test.ts',
    // The journey's stages before the machines (images, the DP) and the UEFI machine.
    '-t',
    'builds the boot image|runs a real DP|UEFI',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, STEWARD_OSD_VM: '1', STEWARD_OSD_BENCH_OUT: marks },
  },
);
if (run.status !== 0 || !existsSync(marks)) {
  console.error('bench:osd --vm: the UEFI journey did not pass; nothing recorded');
  process.exit(1);
}
const [measured] = readFileSync(marks, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const out = values.out ?? join(root, 'bench/results/osd.json');
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
previous.powerOnToEnrolled = {
  command: 'npm run bench:osd -- --vm-only',
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, kernel: release(), node: process.version },
  accel: 'tcg (KVM not usable here: test-support/vm/accel.ts)',
  ...measured,
  wholeTestSeconds: Math.round((Date.now() - started) / 1000),
};
writeFileSync(out, `${JSON.stringify(previous, null, 2)}\n`);
console.log(JSON.stringify(previous.powerOnToEnrolled, null, 2));
