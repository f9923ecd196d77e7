#!/usr/bin/env node
// Online follows the push channel (issue 12, ADR 0035): a site server in a child process, N
// virtual agents (the simulator) holding push channels over the real protocol on 127.0.0.1.
// Measured: after every channel is open, the time until Online (client activity) and the
// device list's Online filter read N; then the channels are closed (the agents stop) and the
// time until both read 0. Then the same with the server killed (SIGKILL) while the agents are
// connected and the agents gone: the time from the restart until Online reads 0.
// Writes bench/results/online.json (or --out) with the command that produced it.
//
//   node bench/online.mjs [--devices 1500] [--dialect sqlite|postgres] [--out file]
// (bench/results/online.json for SQLite, online-postgres.json for PostgreSQL.)
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    devices: { type: 'string', default: '1500' },
    concurrency: { type: 'string', default: '32' },
    out: { type: 'string' },
    dialect: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const dialect = values.dialect;
if (dialect !== 'sqlite' && dialect !== 'postgres')
  throw new Error('--dialect must be sqlite or postgres');
const schema = `bench_${randomBytes(4).toString('hex')}`;
const dbUrl = dialect === 'postgres' ? `${values['pg-url']}?schema=${schema}` : undefined;
const N = Number(values.devices);
if (!Number.isInteger(N) || N < 1) throw new Error('--devices must be a positive integer');

// Every push channel is a socket here AND in the server child.
const FD_NEEDED = 2 * N + 1024;
const softLimit =
  Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 0;
if (softLimit < FD_NEEDED && !process.env.STEWARD_BENCH_REEXEC) {
  const quoted = [process.execPath, fileURLToPath(import.meta.url), ...argv]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const r = spawnSync(
    'bash',
    ['-c', `{ ulimit -n 65536 || ulimit -n "$(ulimit -Hn)"; } 2>/dev/null; exec ${quoted}`],
    { stdio: 'inherit', env: { ...process.env, STEWARD_BENCH_REEXEC: '1' } },
  );
  process.exit(r.status ?? 1);
}

const { ApiClient } = await import('@steward/protocol');
const { FleetModel, VirtualFleet, resolveTemplate, errorText } = await import('@steward/simulator');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');

const startedAt = new Date();
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);
const round = (x) => Math.round(x * 10) / 10;
const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-online-'));
const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
const { template } = resolveTemplate();
const model = new FleetModel(template, { seed: 1, images: 1, driftRate: 0, packagesPerDevice: 20 });

/** What the console shows: Online on Client activity and the Online filter's total. */
async function onlineNow(api) {
  const [activity, list] = await Promise.all([
    api.clientActivity(),
    api.listDevices({ status: 'online', limit: 1 }),
  ]);
  return { activity: activity.online, list: list.total };
}

/**
 * Reads Online every 100 ms (the figure as a console poll would read it) until both figures
 * equal `target`; returns the milliseconds from `t0` to the first read that did.
 */
async function timeUntil(api, target, t0, timeoutMs = 180_000) {
  const samples = [];
  for (;;) {
    const now = await onlineNow(api);
    const ms = performance.now() - t0;
    if (samples.length === 0 || samples.at(-1).activity !== now.activity)
      samples.push({ ms: round(ms), ...now });
    if (now.activity === target && now.list === target) return { ms: round(ms), samples };
    if (ms > timeoutMs) return { ms: undefined, timedOut: true, samples };
    await sleep(100);
  }
}

const results = { errors: [] };
let site;
let fleet;
try {
  site = await startSiteProcess({ root, dataDir, db: dbUrl, adminPassword, logLevel: 'warn' });
  log(`site server pid ${site.pid}`);
  let api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  const token = await api.createToken({
    description: 'online bench',
    maxUses: N,
    expiresInHours: 2,
  });
  fleet = await VirtualFleet.connect({ token: token.token, count: N, model, seed: 1 });
  log('enrolling...');
  await fleet.enrolAll(Number(values.concurrency));
  log('connecting push channels...');
  let t0 = performance.now();
  const connect = await fleet.connectPush(100);
  results.connect = { open: connect.open, ...(await timeUntil(api, N, t0)) };
  log(`online ${N} ${results.connect.ms} ms after the first connection`);

  log('closing every push channel (the agents stop)...');
  t0 = performance.now();
  // Read while the channels close, so the samples show the figure falling.
  let closedMs;
  const closing = fleet.push.closeAll().then(() => (closedMs = round(performance.now() - t0)));
  const fell = await timeUntil(api, 0, t0);
  await closing;
  results.disconnect = { channelsClosedMs: closedMs, ...fell };
  log(`online 0 ${results.disconnect.ms} ms after the agents started closing`);

  // Server crash: the agents connect again, the server is killed (SIGKILL: no clean close of
  // any channel), the agents are gone, and the server starts again on the same data.
  log('connecting again, then killing the server...');
  await fleet.connectPush(100);
  await timeUntil(api, N, performance.now());
  site.child.kill('SIGKILL');
  await site.exit;
  await fleet.close();
  fleet = undefined;
  t0 = performance.now();
  site = await startSiteProcess({ root, dataDir, db: dbUrl, adminPassword, logLevel: 'warn' });
  const startMs = round(performance.now() - t0);
  api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  const first = await onlineNow(api);
  results.serverKilled = {
    restartMs: startMs,
    firstReadAfterRestart: first,
    ...(await timeUntil(api, 0, t0)),
  };
  log(`after the kill and restart, online 0 ${results.serverKilled.ms} ms after the restart began`);
} catch (err) {
  results.errors.push(errorText(err));
  log(`FAILED: ${errorText(err)}`);
}

try {
  await fleet?.close().catch(() => undefined);
  if (site) await stopSiteProcess(site);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
if (dbUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: values['pg-url'] });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

const report = {
  benchmark: 'online',
  command:
    `node ${relative(process.cwd(), fileURLToPath(import.meta.url))} ${argv.join(' ')}`.trim(),
  date: startedAt.toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  },
  setup: {
    devices: N,
    dialect,
    serverCommand: site?.command,
    notes: [
      'Online is read as the console reads it: GET client activity (online) and the device list filtered on online (total), every 100 ms.',
      'Before ADR 0035 the same figure reached the truth about 80 s after 1,500 agents stopped (issue 12).',
    ],
  },
  ...results,
};
const out =
  values.out ??
  join(root, 'bench', 'results', dialect === 'sqlite' ? 'online.json' : `online-${dialect}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
log(`wrote ${relative(process.cwd(), out)}`);
