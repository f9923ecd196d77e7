// The distribution point's PXE responder, started inside the test's "dp" network namespace
// (test-support/pxe/lan.ts): `node run-pxe.mjs '<json options>'`. It prints "ready <ports>"
// and then one JSON line per activity entry, which the test waits on.
import { prepareTftpRoot, startPxeServices } from '../../packages/server/dist/pxe/pxe-services.js';
import { PxeDecisionTable } from '../../packages/server/dist/pxe/boot-decision.js';

const o = JSON.parse(process.argv[2] ?? '{}');
const table = new PxeDecisionTable(o.entries ?? [], o.offer);
const known = (mac, uuid) =>
  (o.entries ?? []).some((e) => e.mac === mac || (uuid !== undefined && e.uuid === uuid));
prepareTftpRoot('/usr/lib/ipxe', o.tftpRoot);
const pxe = await startPxeServices({
  serverAddress: o.serverAddress,
  tftpRoot: o.tftpRoot,
  httpPort: o.httpPort,
  bios: true,
  uefi: true,
  responseDelaySeconds: 0,
  respondToUnknown: o.respondToUnknown ?? true,
  isKnown: known,
  decider: table,
  images: { files: (name) => o.images?.[name] },
  onActivity: (entry) => console.log(JSON.stringify(entry)),
});
console.log(`ready ${JSON.stringify(pxe.ports)}`);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => void pxe.stop().then(() => process.exit(0)));
