#!/usr/bin/env node
// Content benchmark (issue 3). Two parts, each against real processes on 127.0.0.1:
//  A. throughput: a package of --size-mb (default 1024) is imported into the site's library,
//     distributed to a `steward server --roles dp` process, then downloaded by one client from that
//     DP and, alternately in the same run, from a bare Node HTTPS static file server serving the same
//     file (bench/lib/static-file-server.mjs). The client is the same for both: stream to disk while
//     hashing SHA-256, as the agent does. Target: DP >= 80% of the baseline (medians of --runs).
//  B. fan-out: --clients (default 2000) simulated clients with push channels receive one required
//     ASAP deployment: each fetches its signed assignments, asks for content locations, downloads
//     and verifies the package from a DP, and reports received/running/succeeded with status
//     messages. Measured: time from the deployment's creation to 95% success, and server CPU.
// Writes bench/results/content.json (or --out) with the command that produced it.
//
//   npm run bench:content -- [--size-mb 1024] [--runs 3] [--clients 2000]
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request, Agent } from 'node:https';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    'size-mb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const sizeMb = Number(values['size-mb']);
const runs = Number(values.runs);
const clients = Number(values.clients);
const concurrency = Number(values.concurrency);
for (const [k, v] of Object.entries({ sizeMb, runs, clients, concurrency }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);

const { ApiClient } = await import('@steward/protocol');
const { FleetModel, VirtualFleet, DeploymentClient, resolveTemplate, errorText, Semaphore } =
  await import('@steward/simulator');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');
const { cpuSeconds } = await import('./lib/proc-sampler.mjs');

const startedAt = new Date();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);
const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-content-'));
const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Writes `mb` MiB of random bytes; returns the SHA-256. */
async function makeFile(path, mb) {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const chunk = Buffer.alloc(4 << 20);
  for (let written = 0; written < mb << 20; written += chunk.length) {
    randomFillSync(chunk);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return hash.digest('hex');
}

/** The client of part A: GET over HTTPS, stream to disk while hashing. */
function download(url, { ca, headers = {}, dest }) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const agent = new Agent({ ca, checkServerIdentity: () => undefined, keepAlive: false });
    const req = request(url, { agent, headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET ${url} answered ${res.statusCode}`));
      }
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c) => {
        hash.update(c);
        bytes += c.length;
      });
      pipeline(res, createWriteStream(dest, { highWaterMark: 1 << 20 }))
        .then(() => {
          const s = Number(process.hrtime.bigint() - t0) / 1e9;
          agent.destroy();
          resolvePromise({
            seconds: s,
            bytes,
            sha256: hash.digest('hex'),
            mbPerSecond: bytes / 1048576 / s,
          });
        })
        .catch(reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(what, fn, timeoutMs, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function startDpProcess(dpDir, token) {
  const args = [
    join(root, 'packages/cli/bin/steward.js'),
    'server',
    '--roles',
    'dp',
    '--data',
    dpDir,
    '--dp-token',
    token,
    '--agent-listen',
    '127.0.0.1:0',
  ];
  mkdirSync(dpDir, { recursive: true });
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, STEWARD_DP_POLL_SECONDS: '2' },
  });
  return { child, command: `node ${args.join(' ')}`.replace(token, '<token>') };
}

const results = { errors: [] };
let site;
let dp;
let baseline;
let fleet;
let deployments;
try {
  mkdirSync(join(dataDir, 'site'));
  const cpuProfDir = values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'steward-prof-')) : undefined;
  if (cpuProfDir) log(`server CPU profile in ${cpuProfDir}`);
  site = await startSiteProcess({
    root,
    dataDir: join(dataDir, 'site'),
    adminPassword,
    cpuProfDir,
  });
  log(`site server pid ${site.pid}: admin ${site.adminUrl}, agents ${site.agentUrl}`);
  const api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);

  // ---- part A: one client, one big package ----
  const file = join(dataDir, 'package.bin');
  log(`writing ${sizeMb} MiB of random data...`);
  const sha256 = await makeFile(file, sizeMb);
  const size = statSync(file).size;
  const pkg = await api.createPackage({ name: 'bench-big', description: 'bench:content' });
  let t = Date.now();
  await api.uploadContentFile(
    sha256,
    Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })),
  );
  const version = await api.createVersionFromFiles(pkg.id, [
    { path: 'package.bin', sha256, size, mode: 0o644 },
  ]);
  const importSeconds = (Date.now() - t) / 1000;
  log(`imported into the library in ${importSeconds} s`);

  const reg = await api.createDistributionPoint({ name: 'bench-dp' });
  dp = startDpProcess(join(dataDir, 'dp'), reg.registrationToken);
  const dpState = await waitFor(
    'the DP process to listen',
    () => {
      const f = join(dataDir, 'dp', 'server.json');
      if (!existsSync(f)) return undefined;
      const s = JSON.parse(readFileSync(f, 'utf8'));
      return s.pid === dp.child.pid ? s : undefined;
    },
    60_000,
    200,
  );
  log(`DP process pid ${dp.child.pid} at ${dpState.agentUrl}`);
  t = Date.now();
  await api.distributePackage(pkg.id, { dpIds: [reg.distributionPoint.id] });
  await waitFor(
    'the DP to hold the package',
    async () => {
      const s = await api.packageContentStatus(pkg.id);
      const row = s.distributionPoints.find((r) => r.dpId === reg.distributionPoint.id);
      if (row?.state === 'failed') throw new Error(`DP failed: ${row.message}`);
      return row?.state === 'installed';
    },
    30 * 60_000,
  );
  const siteToDpSeconds = (Date.now() - t) / 1000;
  log(`site -> DP: ${siteToDpSeconds} s (${round(sizeMb / siteToDpSeconds)} MiB/s)`);

  // Clients: enrolled through the real protocol (also used by part B).
  const { template } = resolveTemplate();
  const model = new FleetModel(template, {
    seed: 1,
    images: 5,
    driftRate: 0,
    packagesPerDevice: 50,
  });
  const token = await api.createToken({
    description: 'bench:content',
    maxUses: clients,
    expiresInHours: 24,
  });
  fleet = await VirtualFleet.connect({ token: token.token, count: clients, model });
  log(`enrolling ${clients} virtual clients...`);
  await fleet.enrolAll(concurrency);
  const first = fleet.agents[0];
  const locations = await fleet.site.json(
    'GET',
    `/agent/v1/content-locations?packageVersionId=${encodeURIComponent(version.id)}`,
    first.authHeaders,
  );
  const fromDp = locations.locations.find((l) => l.dpId === reg.distributionPoint.id);
  if (!fromDp)
    throw new Error(
      `the bench DP is not among the client's locations: ${JSON.stringify(locations.locations)}`,
    );

  const certDir = join(dataDir, 'baseline-tls');
  mkdirSync(certDir);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const baselineChild = spawn(
    process.execPath,
    [
      join(root, 'bench/lib/static-file-server.mjs'),
      file,
      join(certDir, 'cert.pem'),
      join(certDir, 'key.pem'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  baseline = baselineChild;
  const port = await new Promise((r) =>
    baselineChild.stdout.once('data', (d) => r(Number(String(d).trim()))),
  );
  const baselineCa = readFileSync(join(certDir, 'cert.pem'), 'utf8');
  const dest = join(dataDir, 'download.bin');
  const dpRuns = [];
  const baseRuns = [];
  for (let i = 0; i < runs; i++) {
    const b = await download(`https://127.0.0.1:${port}/package.bin`, { ca: baselineCa, dest });
    if (b.sha256 !== sha256) throw new Error('baseline download hash mismatch');
    baseRuns.push(b.mbPerSecond);
    const d = await download(`${fromDp.url}/content/v1/files/${sha256}`, {
      ca: fleet.site.caPem,
      headers: { authorization: `Bearer ${locations.accessToken}` },
      dest,
    });
    if (d.sha256 !== sha256) throw new Error('DP download hash mismatch');
    dpRuns.push(d.mbPerSecond);
    log(`run ${i + 1}: baseline ${round(b.mbPerSecond)} MiB/s, DP ${round(d.mbPerSecond)} MiB/s`);
    rmSync(dest, { force: true });
  }
  baselineChild.kill('SIGTERM');
  const ratio = median(dpRuns) / median(baseRuns);
  results.throughput = {
    packageMiB: sizeMb,
    runs,
    importSeconds,
    siteToDpSeconds,
    siteToDpMiBPerSecond: round(sizeMb / siteToDpSeconds),
    dpMiBPerSecond: dpRuns.map((x) => round(x)),
    baselineMiBPerSecond: baseRuns.map((x) => round(x)),
    medianDp: round(median(dpRuns)),
    medianBaseline: round(median(baseRuns)),
    ratio: round(ratio, 3),
    target: '>= 0.80 of the baseline',
    met: ratio >= 0.8,
  };
  log(
    `throughput: DP ${round(median(dpRuns))} MiB/s vs baseline ${round(median(baseRuns))} MiB/s = ${round(ratio * 100)}%`,
  );
  rmSync(file, { force: true });

  // ---- part B: N clients, one required deployment ----
  log(`opening ${clients} push channels...`);
  await fleet.connectPush(concurrency);
  const appDir = join(dataDir, 'app');
  mkdirSync(appDir);
  const script = '#!/bin/sh\necho installed\n' + '# padding\n'.repeat(400);
  const scriptSha = createHash('sha256').update(script).digest('hex');
  const app = await api.createPackage({ name: 'bench-app' });
  await api.uploadContentFile(scriptSha, new Blob([script]));
  await api.createVersionFromFiles(app.id, [
    { path: 'install.sh', sha256: scriptSha, size: Buffer.byteLength(script), mode: 0o755 },
  ]);
  const program = await api.createProgram(app.id, {
    name: 'install',
    commandLine: 'sh install.sh',
  });
  const siteDp = (await api.listDistributionPoints()).find((d) => d.isSiteServer);
  await api.distributePackage(app.id, { dpIds: [siteDp.id, reg.distributionPoint.id] });
  await waitFor(
    'bench-app on both DPs',
    async () => (await api.packageContentStatus(app.id)).installed === 2,
    120_000,
  );
  await waitFor(
    `${clients} devices in All Systems`,
    async () => {
      const c = await api.getCollection('all-systems');
      return c.memberCount >= clients;
    },
    300_000,
    1000,
  );

  deployments = new DeploymentClient(fleet.site);
  const gate = new Semaphore(concurrency);
  const failures = [];
  let evaluations = 0;
  let firstNudgeMs;
  let lastNudgeMs;
  fleet.push.onReceipt((r) => {
    if (r.action !== 'deployments:evaluate') return;
    const agent = fleet.agents[r.deviceIndex];
    evaluations++;
    lastNudgeMs = Date.now() - t0;
    firstNudgeMs ??= lastNudgeMs;
    void gate.run(() => deployments.evaluate(agent)).catch((err) => failures.push(errorText(err)));
  });
  const cpu0 = cpuSeconds(site.pid);
  const dpCpu0 = cpuSeconds(dp.child.pid);
  const simCpu0 = process.cpuUsage();
  const t0 = Date.now();
  const dep = await api.createDeployment({
    programId: program.id,
    collectionId: 'all-systems',
    purpose: 'required',
    triggers: [{ type: 'asap' }],
  });
  let at50;
  const summary = await waitFor(
    '95% success',
    async () => {
      const s = await api.deploymentSummary(dep.id);
      if (at50 === undefined && s.successPercent >= 50) at50 = Date.now() - t0;
      return s.successPercent >= 95 ? s : undefined;
    },
    30 * 60_000,
    250,
  );
  const ms = Date.now() - t0;
  const cpu = cpuSeconds(site.pid) - cpu0;
  const dpCpu = cpuSeconds(dp.child.pid) - dpCpu0;
  const simCpu = process.cpuUsage(simCpu0);
  results.fanout = {
    clients,
    concurrency,
    secondsTo50Percent: round((at50 ?? ms) / 1000, 2),
    secondsTo95Percent: round(ms / 1000, 2),
    successPercentAtStop: summary.successPercent,
    evaluations,
    clientErrors: failures.length,
    firstErrors: failures.slice(0, 5),
    serverCpuSeconds: round(cpu, 2),
    serverCpuPercentOfOneCore: round((cpu / (ms / 1000)) * 100),
    dpCpuSeconds: round(dpCpu, 2),
    // The simulator (2,000 TLS push channels, requests, hashing) shares the 2 cores.
    simulatorCpuSeconds: round((simCpu.user + simCpu.system) / 1e6, 2),
    firstNudgeAfterSeconds: round((firstNudgeMs ?? 0) / 1000, 2),
    lastNudgeAfterSeconds: round((lastNudgeMs ?? 0) / 1000, 2),
    stepLatencyMs: deployments.latency(),
  };
  log(
    `fan-out: 95% of ${clients} succeeded in ${round(ms / 1000, 2)} s; server CPU ${round(cpu, 2)} s`,
  );
} catch (err) {
  results.errors.push(errorText(err));
  log(`FAILED: ${errorText(err)}`);
} finally {
  deployments?.close();
  await fleet?.close().catch(() => undefined);
  baseline?.kill('SIGTERM');
  dp?.child.kill('SIGTERM');
  if (site) await stopSiteProcess(site);
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
}

const command =
  `node ${relative(process.cwd(), fileURLToPath(import.meta.url)) || 'bench/content.mjs'} ${argv.join(' ')}`.trim();
const report = {
  benchmark: 'content',
  command,
  npmCommand: `npm run bench:content${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  date: startedAt.toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadAtStart,
  },
  source: (() => {
    try {
      return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })(),
  ...results,
};
const out = values.out ?? join(root, 'bench/results/content.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
log(`wrote ${out}`);
process.exitCode = results.errors.length > 0 ? 1 : 0;
