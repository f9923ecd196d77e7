#!/usr/bin/env node
// Software updates benchmark (issue 10, ADR 0064). Everything on this machine:
//  0. this machine's own security suite (its apt sources, its apt lists: the real signed
//     InRelease and Packages apt downloaded) served on 127.0.0.1 and synced into a fresh site's
//     catalog through the real update-source API; then an unchanged re-sync (requests counted);
//  a. the agent's scan code on this machine's dpkg database against that catalog, in a child
//     process, alternating with `apt list --upgradable` (both under /usr/bin/time: wall time and
//     peak RSS), medians;
//  b. N simulated devices whose package sets are variations of this machine's (dpkg-query), in
//     K distinct sets stored by the inventory's own repository code (ensurePackageSet); then a
//     sync of a second signed loopback source that adds ONE update: seconds to the complete
//     compliance picture (the sync's end: applicability is brought up in its transaction), and
//     the compliance summary of that update through the API (median of several);
//  c. the same at the second size (devices added, sets unchanged, a new version published).
//
//   npm run bench:updates -- [--sizes 100000,1000000] [--sets 2000] [--scan-runs 5]
//                             [--summary-runs 7] [--dialect sqlite|postgres] [--out file]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, hostname, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findSecuritySource, keyringOf, serveAptLists } from './lib/apt-lists-server.mjs';
import { startOneUpdateSuite } from './lib/one-update-suite.mjs';
import { startSiteProcess, stopSiteProcess } from './lib/site-process.mjs';
import { installedVariations } from './lib/package-variations.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    sets: { type: 'string', default: '2000' },
    'scan-runs': { type: 'string', default: '5' },
    'summary-runs': { type: 'string', default: '7' },
    dialect: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    out: { type: 'string' },
    seed: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const setCount = Number(values.sets);
const out =
  values.out ??
  join(
    root,
    `bench/results/updates${values.dialect === 'sqlite' ? '' : `-${values.dialect}`}.json`,
  );
const protocol = await import(join(root, 'packages/protocol/dist/index.js'));
const { sql } = await import('kysely');
const { openDatabase } = await import(join(root, 'packages/server/dist/db/database.js'));
const { ensurePackageSet } = await import(
  join(root, 'packages/server/dist/inventory/package-set-repository.js')
);
const { complianceCounts } = await import(
  join(root, 'packages/server/dist/updates/compliance/repository.js')
);
const { scanCatalogFor } = await import(
  join(root, 'packages/server/dist/updates/compliance/catalog-version-repository.js')
);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const log = (m) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

const dir = mkdtempSync(join(tmpdir(), 'steward-updates-bench-'));
const dataDir = join(dir, 'server');
mkdirSync(dataDir, { recursive: true });
const schema = `bench_${randomBytes(4).toString('hex')}`;
const dbUrl =
  values.dialect === 'postgres'
    ? `${values['pg-url']}?schema=${schema}`
    : join(dataDir, 'steward.db');
const adminPassword = randomBytes(12).toString('base64url');
const arch = execFileSync('dpkg', ['--print-architecture']).toString().trim();

const security = findSecuritySource();
const mirror = await serveAptLists(security, [arch]);
const extra = await startOneUpdateSuite();
const site = await startSiteProcess({ root, dataDir, db: dbUrl, adminPassword, logLevel: 'warn' });
const db = await openDatabase(dbUrl);
const results = {
  benchmark: 'updates',
  command: `node bench/updates.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root }).toString().trim(),
  dirty: execFileSync('git', ['status', '--porcelain'], { cwd: root }).toString().trim() !== '',
  at: new Date().toISOString(),
  machine: {
    host: hostname(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    node: process.version,
    // Other work on the machine (a shared machine) slows every figure; recorded at start and end.
    loadAverageAtStart: loadavg().map((x) => round(x, 1)),
  },
  dialect: values.dialect,
  targets: {
    scan: 'no slower than apt list --upgradable and no more memory',
    firstCompliancePictureSeconds: 5,
    summaryMs: 100,
  },
};

let token;
/**
 * One admin API call on a fresh connection (node:http, no keep-alive): the benchmark is idle for
 * minutes between calls while it stores package sets, and a pooled socket the site closed in the
 * meantime would fail the next call.
 */
function api(method, path, body) {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const url = new URL(`${site.adminUrl}/api/v1${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        agent: false,
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': payload.length }
            : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 0) >= 400)
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(text === '' ? undefined : JSON.parse(text));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Waits for the end of sync `id` of a source (polling the site's own sync record). */
async function syncEnd(sourceId, id) {
  for (;;) {
    const page = await api('GET', `/update-sources/${sourceId}/syncs?limit=5`);
    const s = page.items.find((x) => x.id === id);
    if (s && s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts a sync and waits for its end (polling the site's own sync record, not a timer). The
 * site's scheduler syncs a source that was never synced on its own pass: when that sync runs
 * (UPDATE_SYNC_RUNNING), it is waited for, then this one starts.
 */
async function syncNow(sourceId) {
  const started = performance.now();
  let sync;
  while (!sync) {
    try {
      sync = await api('POST', `/update-sources/${sourceId}/sync`);
    } catch (err) {
      const running = /UPDATE_SYNC_RUNNING.*\(sync ([0-9a-f-]{36})\)/.exec(String(err?.message));
      if (!running) throw err;
      await syncEnd(sourceId, running[1]);
    }
  }
  for (;;) {
    const page = await api('GET', `/update-sources/${sourceId}/syncs?limit=5`);
    const s = page.items.find((x) => x.id === sync.id);
    if (s && s.state !== 'running') {
      if (s.state === 'failed') throw new Error(`sync failed: ${s.failure}: ${s.error}`);
      return { ...s, seconds: round((performance.now() - started) / 1000) };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `cmd` under /usr/bin/time: wall seconds and peak RSS (KiB) of it and what it waited for. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M', cmd, ...args], {
    maxBuffer: 1 << 28,
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const m = /@@([\d.]+) (\d+)/.exec(r.stderr.toString());
  return {
    seconds: Number(m[1]),
    maxRssMb: round(Number(m[2]) / 1024, 1),
    stdout: r.stdout.toString(),
  };
}

async function phaseSync() {
  const source = await api('POST', '/update-sources', {
    name: 'This machine security suite',
    url: mirror.url,
    suite: mirror.suite,
    components: mirror.components,
    architectures: mirror.architectures,
    keyring: keyringOf(security, protocol.armorKeyring),
  });
  const first = await syncNow(source.id);
  const before = mirror.counter.requests;
  const again = await syncNow(source.id);
  const updates = await api('GET', `/updates?sourceId=${source.id}&limit=1`);
  results.sync = {
    suite: mirror.suite,
    indexes: mirror.files,
    seconds: first.seconds,
    packagesRead: first.packagesRead,
    updatesAdded: first.added,
    superseded: first.superseded,
    updatesInCatalog: updates.total,
    unchangedResync: {
      state: again.state,
      seconds: again.seconds,
      requests: mirror.counter.requests - before,
    },
  };
  log(`sync: ${JSON.stringify(results.sync)}`);
}

async function phaseScan() {
  const catalog = await scanCatalogFor(db.kysely, undefined);
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  const scan = [];
  const apt = [];
  let found;
  let upgradable;
  // Alternating, so a drift of the machine's load hits both sides.
  for (let i = 0; i < Number(values['scan-runs']); i++) {
    // With the V8 flags the agent's service runs with (packaging/build-deb.sh).
    const s = timed(process.execPath, [
      '--max-semi-space-size=1',
      '--v8-pool-size=1',
      '--lite-mode',
      join(root, 'bench/lib/update-scan-child.mjs'),
      root,
      file,
    ]);
    found = JSON.parse(s.stdout);
    scan.push(s);
    const a = timed('apt', ['list', '--upgradable']);
    upgradable = a.stdout.split('\n').filter((l) => l.includes('[upgradable from')).length;
    apt.push(a);
  }
  const sum = (xs) => ({
    medianSeconds: median(xs.map((x) => x.seconds)),
    medianMaxRssMb: median(xs.map((x) => x.maxRssMb)),
    runs: xs.map((x) => ({ seconds: x.seconds, maxRssMb: x.maxRssMb })),
  });
  results.scan = {
    catalogUpdates: catalog.updates.length,
    agentScan: { ...sum(scan), found },
    aptListUpgradable: { ...sum(apt), upgradable },
  };
  results.scan.met = {
    time: results.scan.agentScan.medianSeconds <= results.scan.aptListUpgradable.medianSeconds,
    memory: results.scan.agentScan.medianMaxRssMb <= results.scan.aptListUpgradable.medianMaxRssMb,
  };
  log(`scan: ${JSON.stringify(results.scan)}`);
}

/** Runs `fn` again when SQLite says another writer (the site's own jobs) got there first. */
async function retryBusy(fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!/SQLITE_BUSY/.test(String(err?.code)) || attempt > 50) throw err;
    }
  }
}

async function insertDevices(from, to, setIds) {
  const at = new Date(Date.now() - 3600_000).toISOString();
  for (let i = from; i < to;) {
    const batch = [];
    for (let k = 0; k < 1000 && i < to; k++, i++)
      batch.push({
        id: `bench-${String(i).padStart(7, '0')}`,
        name: `bench-host-${String(i).padStart(7, '0')}`,
        key_hash: 'x',
        enrolled_at: at,
        package_set_id: setIds[i % setIds.length].id,
        package_count: setIds[i % setIds.length].count,
        inventory_resync: 0,
      });
    await retryBusy(() => db.kysely.insertInto('device').values(batch).execute());
  }
}

const runs = Number(values['summary-runs']);

/** Milliseconds of `fn` over `runs` runs: first and median. */
async function timeRuns(fn) {
  const ms = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { first: round(ms[0], 1), median: round(median(ms), 1) };
}

/** The devices-per-set grouping the summary ran before it read package_set_device_count. */
function sameRunBaseline() {
  return timeRuns(() =>
    sql`select package_set_id, count(*) as n from device where revoked_at is null
      group by package_set_id`.execute(db.kysely),
  );
}

/**
 * Report reads of v_update_compliance for the one update (ADR 0062, ADR 0075): a page of its
 * devices (what a report table shows first) and its required count.
 */
async function viewLookups(updateId) {
  return {
    firstPage: await timeRuns(() =>
      sql`select device_name, state from v_update_compliance where update_id = ${updateId}
        order by device_name limit 50`.execute(db.kysely),
    ),
    requiredCount: await timeRuns(() =>
      sql`select count(*) as n from v_update_compliance
        where update_id = ${updateId} and state = 'required'`.execute(db.kysely),
    ),
  };
}

async function phaseFleet() {
  const base = execFileSync('dpkg-query', [
    '-W',
    '-f',
    '${Package}\t${Architecture}\t${Version}\t${db:Status-Status}\n',
  ])
    .toString()
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([n, a, v, s]) => n && a && v && s === 'installed')
    .map(([name, a, version]) => ({ manager: 'dpkg', name, arch: a, version }));
  // The one update: a newer version of a package every variation keeps (a library everything
  // links), published by the second source.
  const target = base.find((p) => p.name === 'libc6') ?? base[0];
  let started = performance.now();
  const setIds = [];
  for (const packages of installedVariations(base, setCount, Number(values.seed), target.name))
    setIds.push(
      await retryBusy(() =>
        db.kysely
          .transaction()
          .execute((tx) => ensurePackageSet(tx, packages, new Date().toISOString())),
      ),
    );
  results.fleet = {
    basePackages: base.length,
    distinctSets: new Set(setIds.map((s) => s.id)).size,
    setsStoredSeconds: round((performance.now() - started) / 1000),
    updatedPackage: target.name,
    sizes: [],
  };
  log(`fleet: ${results.fleet.distinctSets} sets stored in ${results.fleet.setsStoredSeconds} s`);
  extra.publish([]);
  const source = await api('POST', '/update-sources', {
    name: 'Bench one-update suite',
    url: extra.url,
    suite: extra.suite,
    components: ['main'],
    architectures: [arch],
    keyring: extra.keyring,
  });
  // Synced once while empty: the scheduler syncs a never-synced source on its own, and such a
  // sync taking the one update would leave the measured sync nothing to add.
  await syncNow(source.id);
  let devices = 0;
  for (const [i, size] of sizes.entries()) {
    started = performance.now();
    await insertDevices(devices, size, setIds);
    devices = size;
    const insertSeconds = round((performance.now() - started) / 1000);
    const version = `${target.version}+bench${i + 1}`;
    extra.publish([{ name: target.name, version, arch: target.arch }]);
    const sync = await syncNow(source.id);
    if (sync.added !== 1) throw new Error(`the sync added ${sync.added} updates, not 1`);
    const page = await api('GET', `/updates?sourceId=${source.id}&state=current&limit=5`);
    const update = page.items.find((u) => u.version === version);
    const summary = [];
    let counts;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      counts = (await api('GET', `/updates/${update.id}/compliance`)).counts;
      summary.push(performance.now() - t);
    }
    const firstPictureSeconds = sync.seconds + summary[0] / 1000;
    const baseline = await sameRunBaseline();
    // The summary's own reads on the bench's connection, like the baseline: the API figure
    // also holds the site's HTTP, auth and whatever else the site runs after a sync.
    const direct = await timeRuns(() =>
      db.kysely.transaction().execute((tx) => complianceCounts(tx, update.id)),
    );
    const reports = await viewLookups(update.id);
    // PostgreSQL: the bulk insert leaves every device row without hint bits or a visibility map
    // and the count table with one dead version per device (ADR 0075) until autovacuum visits
    // them; a fleet that grew over days has had that visit. The same reads again after the
    // VACUUM (ANALYZE) autovacuum would run, in the same run.
    let afterVacuum;
    if (values.dialect === 'postgres') {
      await sql`vacuum (analyze) device, package_set_device_count, update_applicability`.execute(
        db.kysely,
      );
      const again = [];
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        await api('GET', `/updates/${update.id}/compliance`);
        again.push(performance.now() - t);
      }
      afterVacuum = {
        summaryMs: { first: round(again[0], 1), median: round(median(again), 1) },
        summaryReadsMs: await timeRuns(() =>
          db.kysely.transaction().execute((tx) => complianceCounts(tx, update.id)),
        ),
        reportViewMs: await viewLookups(update.id),
      };
    }
    const entry = {
      devices: size,
      devicesInsertSeconds: insertSeconds,
      syncAddingOneUpdateSeconds: sync.seconds,
      firstCompletePictureSeconds: round(firstPictureSeconds),
      summaryMs: { first: round(summary[0], 1), median: round(median(summary), 1) },
      // What the summary read per device before ADR 0075, timed in the same run: the ratio is
      // what a loaded machine cannot blur.
      baselineDeviceGroupingMs: baseline,
      summaryReadsMs: direct,
      summaryReadsToBaselineRatio: round(direct.median / baseline.median, 2),
      reportViewMs: reports,
      ...(afterVacuum !== undefined ? { afterVacuum } : {}),
      counts,
      met: {
        firstPicture: firstPictureSeconds < 5,
        summary: median(summary) < 100,
        ...(afterVacuum !== undefined
          ? { summaryAfterVacuum: afterVacuum.summaryMs.median < 100 }
          : {}),
      },
    };
    if (
      counts.required +
        counts.installed +
        counts.notRequired +
        counts.unknown +
        counts.held +
        counts.pinned !==
      size
    )
      throw new Error(`the summary counts ${JSON.stringify(counts)} are not ${size} devices`);
    results.fleet.sizes.push(entry);
    log(`fleet ${size}: ${JSON.stringify(entry)}`);
    // Written after each size: the largest can take long on a busy machine.
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  }
}

try {
  const login = await api('POST', '/auth/login', { userName: 'admin', password: adminPassword });
  token = login.token;
  await phaseSync();
  await phaseScan();
  await phaseFleet();
  results.machine.loadAverageAtEnd = loadavg().map((x) => round(x, 1));
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  log(`written to ${out}`);
} finally {
  await db.close();
  await stopSiteProcess(site);
  await mirror.close();
  await extra.close();
  if (values.dialect === 'postgres' && !values.keep) {
    const pg = await openDatabase(values['pg-url']);
    await pg.kysely.schema
      .dropSchema(schema)
      .ifExists()
      .cascade()
      .execute()
      .catch(() => undefined);
    await pg.close();
  }
  if (values.keep)
    log(`kept ${dir}${values.dialect === 'postgres' ? ` and schema ${schema}` : ''}`);
  else rmSync(dir, { recursive: true, force: true });
}
