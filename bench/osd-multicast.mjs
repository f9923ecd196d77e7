#!/usr/bin/env node
// OS deployment benchmark, multicast part (issue 11, ADR 0088): one file to --clients (default 4)
// machines by one multicast session from a real DP process (udpcast) against the same number of
// unicast HTTP downloads at once from that DP; both hash-verified. Measured: bytes the DP put on
// its LAN (its bridge's transmit counter) and wall time. Needs root (network namespaces) and
// udpcast. Writes the "multicast" part of bench/results/osd.json (or --out) with its command.
//
//   npm run bench:osd -- [--size-mb 64] [--clients 4]
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
    'size-mb': { type: 'string', default: '64' },
    clients: { type: 'string', default: '4' },
    out: { type: 'string' },
  },
});
if (process.getuid?.() !== 0) {
  console.error('bench:osd multicast needs root (network namespaces)');
  process.exit(2);
}
const { runOsdMulticastBench } = await importBundledTs(root, 'osd-multicast-run');
const result = await runOsdMulticastBench({
  sizeMb: Number(values['size-mb']),
  clients: Number(values.clients),
});
const out = values.out ?? join(root, 'bench/results/osd.json');
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
previous.multicast = {
  command: `npm run bench:osd -- --multicast-only --size-mb ${values['size-mb']} --clients ${values.clients}`,
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, kernel: release(), node: process.version },
  ...result,
};
writeFileSync(out, `${JSON.stringify(previous, null, 2)}\n`);
console.log(JSON.stringify(previous.multicast, null, 2));
