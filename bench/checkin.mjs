#!/usr/bin/env node
// Check-in benchmark: a site server in a child process, N virtual agents in this one (the
// simulator), over the real protocol on 127.0.0.1. Phases: enrol, full inventories, policy
// requests, status messages, push connections and nudge fan-out. Server CPU and RSS are sampled
// from /proc. Writes bench/results/checkin-<dialect>.json and prints a table.
//
//   npm run bench:checkin -- --devices 10000 --dialect sqlite|postgres [--out file] [--cpu-prof]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    devices: { type: 'string', default: '10000' },
    dialect: { type: 'string', default: 'sqlite' },
    out: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    'policy-requests': { type: 'string' },
    'status-messages': { type: 'string', default: '200000' },
    'batch-size': { type: 'string', default: '500' },
    'push-concurrency': { type: 'string', default: '100' },
    'nudge-concurrency': { type: 'string', default: '64' },
    packages: { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const N = Number(values.devices);
const dialect = values.dialect;
if (!Number.isInteger(N) || N < 1) throw new Error('--devices must be a positive integer');
if (dialect !== 'sqlite' && dialect !== 'postgres')
  throw new Error('--dialect must be sqlite or postgres');
const num = (name) => Number(values[name]);

// ---- open-file limit: every push channel is a socket here AND in the server child ----
const FD_NEEDED = N + 1024;
const softLimit =
  Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 0;
if (softLimit < FD_NEEDED && !process.env.STEWARD_BENCH_REEXEC) {
  console.error(
    `open-file limit ${softLimit} < ${FD_NEEDED} needed for ${N} push connections; re-running under "ulimit -n 65536" (or the hard limit when that is lower)`,
  );
  const quoted = [process.execPath, fileURLToPath(import.meta.url), ...argv]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const r = spawnSync(
    'bash',
    ['-c', `{ ulimit -n 65536 || ulimit -n "$(ulimit -Hn)"; } 2>/dev/null; exec ${quoted}`],
    {
      stdio: 'inherit',
      env: { ...process.env, STEWARD_BENCH_REEXEC: '1' },
    },
  );
  process.exit(r.status ?? 1);
}
const fileLimitNote =
  softLimit < FD_NEEDED
    ? `open-file limit ${softLimit} is below the ${FD_NEEDED} needed: push figures are not valid (raise it with ulimit -n as root)`
    : `open-file limit ${softLimit} (need ${FD_NEEDED})`;
console.error(fileLimitNote);

// ---- build what is missing ----
const needBuild = ['protocol', 'server', 'cli', 'simulator'].filter(
  (p) =>
    !existsSync(join(root, 'packages', p, 'dist', 'index.js')) &&
    !existsSync(join(root, 'packages', p, 'dist', 'cli.js')),
);
if (needBuild.length > 0) {
  console.error(`building ${needBuild.join(', ')}...`);
  execFileSync(
    'npx',
    ['tsc', '-b', ...['protocol', 'server', 'cli', 'simulator'].map((p) => `packages/${p}`)],
    { cwd: root, stdio: 'inherit' },
  );
}
if (!existsSync(join(root, 'packages/agent/dist/cli.js')))
  console.error('agent not built: the inventory template will be read from this machine directly');

const { ApiClient } = await import('@steward/protocol');
const { FleetModel, VirtualFleet, resolveTemplate, errorText } = await import('@steward/simulator');
const { ProcSampler } = await import('./lib/proc-sampler.mjs');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');
const { measureNudgeFanout } = await import('./lib/nudge-fanout.mjs');
const { createAdminFetch } = await import('./lib/admin-fetch.mjs');
const { PgBackendTracker } = await import('./lib/pg-backends.mjs');
const { evaluateTargets, printSummary } = await import('./lib/checkin-report.mjs');

/** The code measured: commit and whether the working tree had uncommitted changes. */
function sourceState() {
  try {
    const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      uncommittedChanges: git('status', '--porcelain').split('\n').filter(Boolean).length,
    };
  } catch {
    return { commit: 'unknown', uncommittedChanges: null };
  }
}

const startedAt = new Date();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const dbUrl = dialect === 'postgres' ? `${values['pg-url']}?schema=${schema}` : undefined;
const cpuProfDir = values['cpu-prof']
  ? mkdtempSync(join(tmpdir(), 'steward-bench-prof-'))
  : undefined;
const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);

const { template, source: templateSource } = resolveTemplate();
const model = new FleetModel(template, {
  seed: num('seed'),
  images: 20,
  driftRate: 0.1,
  packagesPerDevice: num('packages'),
});
log(
  `template: ${templateSource}, ${template.packages.length} packages (trimmed to ${model.images[0].packages.length}); ${N} devices, 20 images, 10% drift`,
);

const results = { phases: {}, errors: [] };
let site;
let sampler;
let fleet;
let adminFetch;
let pgClient;
let backends;
try {
  site = await startSiteProcess({ root, dataDir, db: dbUrl, adminPassword, cpuProfDir });
  log(
    `site server pid ${site.pid}: admin ${site.adminUrl}, agents ${site.agentUrl}${dbUrl ? `, ${dbUrl}` : ''}`,
  );
  if (dbUrl) {
    // The database's own CPU, so it is not counted as "other processes".
    const { default: pg } = await import('pg');
    pgClient = new pg.Client({ connectionString: values['pg-url'] });
    await pgClient.connect();
    backends = new PgBackendTracker(pgClient, site.pid);
    await backends.start();
  }
  sampler = new ProcSampler(site.pid, 500, backends ? () => backends.cpuSeconds() : undefined);
  sampler.start();
  adminFetch = createAdminFetch(num('nudge-concurrency'));
  const api = new ApiClient({ baseUrl: site.adminUrl, fetch: adminFetch.fetch });
  api.setToken((await api.login('admin', adminPassword)).token);
  const token = await api.createToken({
    description: 'check-in benchmark',
    maxUses: N,
    expiresInHours: 24,
  });
  fleet = await VirtualFleet.connect({ token: token.token, count: N, model, seed: num('seed') });

  const concurrency = num('concurrency');
  const phase = async (name, fn) => {
    log(`phase ${name}...`);
    sampler.mark(name);
    const simCpu0 = process.cpuUsage();
    // CLOCK_MONOTONIC in µs, the clock of V8 CPU profiles: cpu-profile-top.mjs slices by phase.
    const startUs = Number(process.hrtime.bigint() / 1000n);
    try {
      const r = await fn();
      const monotonicWindowUs = { start: startUs, end: Number(process.hrtime.bigint() / 1000n) };
      results.phases[name] = { ...r, server: undefined, monotonicWindowUs };
      const s = r.latencyMs
        ? `${r.unitsPerSecond} ${r.unit}/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, errors ${r.errors}`
        : JSON.stringify(r).slice(0, 300);
      log(`  ${s}`);
      return r;
    } catch (err) {
      results.errors.push(`${name}: ${errorText(err)}`);
      log(`  FAILED: ${errorText(err)}`);
      return undefined;
    } finally {
      sampler.mark(`after-${name}`);
      const c = process.cpuUsage(simCpu0);
      if (results.phases[name])
        results.phases[name].simulatorCpuSeconds = Math.round((c.user + c.system) / 1e5) / 10;
    }
  };

  await phase('enrol', () => fleet.enrolAll(concurrency));
  await phase('inventory', () => fleet.sendFullInventories(concurrency));
  await phase('policy', () =>
    fleet.fetchPolicies(values['policy-requests'] ? num('policy-requests') : 3 * N, concurrency),
  );
  await phase('status', () =>
    fleet.sendStatusMessages(num('status-messages'), num('batch-size'), concurrency),
  );
  await phase('push-connect', () => fleet.connectPush(num('push-concurrency')));
  const connected = fleet.agents.filter((a) => a.credentials !== undefined);
  // Unloaded delivery first (one request at a time, 100 devices), then the whole fleet at once.
  await phase('nudge-sample', () =>
    measureNudgeFanout({
      api,
      push: fleet.push,
      agents: connected.slice(0, Math.min(100, connected.length)),
      concurrency: 1,
      timeoutMs: 60_000,
    }),
  );
  await phase('nudge-fanout', () =>
    measureNudgeFanout({
      api,
      push: fleet.push,
      agents: connected,
      concurrency: num('nudge-concurrency'),
      timeoutMs: 120_000 + N * 20,
    }),
  );
  results.pushOpenAtEnd = fleet.push.openCount;
  results.pushUnexpectedCloses = fleet.push.unexpectedCloses;
} catch (err) {
  results.errors.push(errorText(err));
  log(`FAILED: ${errorText(err)}`);
} finally {
  sampler?.stop();
  backends?.stop();
  await pgClient?.end().catch(() => undefined);
  await fleet?.close().catch(() => undefined);
  adminFetch?.close();
  if (site) await stopSiteProcess(site);
}

if (dbUrl) {
  try {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: values['pg-url'] });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
    log(`dropped schema ${schema}`);
  } catch (err) {
    results.errors.push(`could not drop schema ${schema}: ${errorText(err)}`);
  }
}

// ---- results ----
for (const [name, r] of Object.entries(results.phases)) r.server = sampler?.summary(name);
const p = results.phases;
const serverPeakRssMb = sampler ? Math.round(sampler.peakRssMb) : undefined;
const targets = evaluateTargets(p, serverPeakRssMb, N);
const command =
  `node ${relative(process.cwd(), fileURLToPath(import.meta.url)) || 'bench/checkin.mjs'} ${argv.join(' ')}`.trim();
const report = {
  benchmark: 'checkin',
  command,
  date: startedAt.toISOString(),
  source: sourceState(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    openFileLimit: softLimit,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  },
  setup: {
    devices: N,
    dialect,
    database: dbUrl ?? 'SQLite file in a temporary data directory',
    serverCommand: site?.command,
    template: templateSource,
    packagesPerDevice: model.images[0].packages.length,
    images: model.images.length,
    driftRate: model.driftRate,
    distinctPackageSets: p.inventory?.distinctPackageSets,
    concurrency: num('concurrency'),
    pushConcurrency: num('push-concurrency'),
    nudgeConcurrency: num('nudge-concurrency'),
    statusBatchSize: num('batch-size'),
    fileLimit: fileLimitNote,
    notes: [
      'Server and simulator share the same cores; per phase, server.benchmarkProcessCpuPercent is the simulator (this process) and server.otherProcessesCpuPercent is everything else on the machine (other work competing for the cores).',
      'Server CPU is % of one core (up to 100 x cores), from /proc/<pid>/stat every 500 ms; RSS peak is VmHWM.',
      'Virtual agents acknowledge nudges but do not fetch policy after them.',
    ],
  },
  phases: p,
  server: { peakRssMb: serverPeakRssMb, cpuProfileDir: cpuProfDir },
  push: { openAtEnd: results.pushOpenAtEnd, unexpectedCloses: results.pushUnexpectedCloses },
  targets,
  allTargetsMet: Object.values(targets).every((t) => t.met),
  errors: results.errors,
};
const out = values.out ?? join(root, 'bench', 'results', `checkin-${dialect}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');

printSummary(report);
console.log(
  `results: ${relative(process.cwd(), out)}${cpuProfDir ? `; server CPU profile in ${cpuProfDir}` : ''}`,
);
if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
else console.log(`data kept in ${dataDir}`);
// A missed target is a result, not a failure; a phase that could not run is.
process.exitCode = report.errors.length > 0 ? 1 : 0;
