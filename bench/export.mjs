#!/usr/bin/env node
// Export benchmark (issue 12, ADR 0032): a site server in a child process holding 10,000 and
// then 100,000 devices (inserted directly into its database), each exported whole as CSV and as
// JSON through GET /api/v1/devices/export. The server's RSS is sampled from /proc every 50 ms
// during each export: a streamed export keeps it flat whatever the row count. Writes
// bench/results/export.json and prints a table.
//
//   node bench/export.mjs [--sizes 10000,100000] [--dialect sqlite|postgres] [--out file]
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSiteProcess, stopSiteProcess } from './lib/site-process.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    dialect: { type: 'string', default: 'sqlite' },
    out: { type: 'string', default: join(root, 'bench/results/export.json') },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    // Caps the server's V8 old space: an export that held its rows would run out of heap.
    'server-heap-mb': { type: 'string' },
  },
});
if (values['server-heap-mb'])
  process.env.NODE_OPTIONS =
    `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${Number(values['server-heap-mb'])}`.trim();
const sizes = values.sizes.split(',').map(Number);
const { openDatabase } = await import(join(root, 'packages/server/dist/db/database.js'));

function rssMb(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) / 1024;
}

const dir = mkdtempSync(join(tmpdir(), 'steward-export-bench-'));
const dataDir = join(dir, 'server');
mkdirSync(dataDir, { recursive: true });
const schema = `bench_${randomBytes(4).toString('hex')}`;
const dbUrl =
  values.dialect === 'postgres'
    ? `${values['pg-url']}?schema=${schema}`
    : join(dataDir, 'steward.db');
const adminPassword = randomBytes(12).toString('base64url');
const site = await startSiteProcess({ root, dataDir, db: dbUrl, adminPassword, logLevel: 'warn' });
const db = await openDatabase(dbUrl);
const results = [];
try {
  const login = await fetch(`${site.adminUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: 'admin', password: adminPassword }),
  });
  const { token } = await login.json();
  let inserted = 0;
  const at = new Date(Date.now() - 3600_000).toISOString();
  for (const size of sizes) {
    for (; inserted < size;) {
      const batch = [];
      for (let k = 0; k < 500 && inserted < size; k++, inserted++)
        batch.push({
          id: `bench-${String(inserted).padStart(7, '0')}`,
          name: `bench-host-${String(inserted).padStart(7, '0')}`,
          key_hash: 'x',
          enrolled_at: at,
          ip_addresses: `10.${(inserted >> 16) & 255}.${(inserted >> 8) & 255}.${inserted & 255}`,
          os_name: 'Debian GNU/Linux 12 (bookworm)',
          last_logged_on_user: `user${inserted % 977}`,
          package_count: inserted % 1500,
          inventory_resync: 0,
          last_contact_at: at,
        });
      await db.kysely.insertInto('device').values(batch).execute();
    }
    // CSV twice: the second run shows whether the first one's growth was a one-off warm-up.
    for (const format of ['csv', 'json', 'csv']) {
      global.gc?.();
      const before = rssMb(site.pid);
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, rssMb(site.pid))), 50);
      const started = performance.now();
      const res = await fetch(`${site.adminUrl}/api/v1/devices/export?format=${format}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(`export: ${res.status} ${await res.text()}`);
      let bytes = 0;
      let newlines = 0;
      for await (const chunk of res.body) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) newlines++;
      }
      const seconds = (performance.now() - started) / 1000;
      clearInterval(timer);
      peak = Math.max(peak, rssMb(site.pid));
      // CSV: a header line and one line per row; JSON: "[", one line per row, "]" on its own line.
      const rows = format === 'csv' ? newlines - 1 : newlines - 2;
      const r = {
        devices: size,
        format,
        rows,
        megabytes: Math.round((bytes / 1048576) * 10) / 10,
        seconds: Math.round(seconds * 100) / 100,
        rowsPerSecond: Math.round(rows / seconds),
        serverRssBeforeMb: Math.round(before),
        serverPeakRssMb: Math.round(peak),
        serverRssGrowthMb: Math.round(peak - before),
      };
      if (r.rows !== size) throw new Error(`exported ${r.rows} rows of ${size}`);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
} finally {
  await db.close();
  await stopSiteProcess(site);
  rmSync(dir, { recursive: true, force: true });
}
const doc = {
  bench: 'export',
  when: new Date().toISOString(),
  dialect: values.dialect,
  serverHeapMb: values['server-heap-mb'] ? Number(values['server-heap-mb']) : null,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMb: Math.round(totalmem() / 1048576),
    kernel: release(),
  },
  note: 'devices inserted directly; each size exported as CSV, JSON, then CSV again. Server RSS sampled every 50 ms during each export; growth = peak during the export minus RSS just before it',
  results,
};
writeFileSync(values.out, `${JSON.stringify(doc, null, 2)}\n`);
console.table(results);
