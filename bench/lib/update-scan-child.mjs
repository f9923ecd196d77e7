// One client update scan of THIS machine, in its own process so its time and peak memory can be
// measured like `apt list --upgradable`'s: the agent's own scan code (packages/agent/dist) on the
// real dpkg database (dpkg-query) and apt-cache for pinning, against the catalog file given (the
// site's scan catalog, as the agent holds it). Prints what it found as one JSON line.
//
//   node bench/lib/update-scan-child.mjs <root> <catalog.json>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [root, catalogFile] = process.argv.slice(2);
const { scanInstalled } = await import(join(root, 'packages/agent/dist/updates/scan/scan.js'));
const catalog = JSON.parse(readFileSync(catalogFile, 'utf8'));
const results = await scanInstalled(catalog.updates, {
  dpkgQuery: '/usr/bin/dpkg-query',
  aptCache: '/usr/bin/apt-cache',
  aptConfig: '/usr/bin/apt-config',
});
const count = (s) => results.filter((r) => r.state === s).length;
process.stdout.write(
  JSON.stringify({
    updates: catalog.updates.length,
    required: count('required'),
    installed: count('installed'),
    unknown: count('unknown'),
    held: results.filter((r) => r.hold !== undefined).length,
    maxRssKb: process.resourceUsage().maxRSS,
  }) + '\n',
);
