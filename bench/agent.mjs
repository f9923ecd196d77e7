#!/usr/bin/env node
// Agent benchmark: what a light agent costs on this machine.
//
// A. Idle: a site server (SQLite, loopback) in a child process, a real `steward-agent` enrolled
//    with it and started as the service (`steward-agent run`); once its first full inventory has
//    reached the site, its RSS and CPU are sampled from /proc every second for --idle-seconds.
//    Twice: the single-file bundle the .deb ships (esbuild, as packaging/build-deb.sh builds it),
//    then packages/agent/bin/steward-agent.js over the workspace's dist.
// B. Full inventory: --runs collections as the agent does for a full report; median wall time
//    and median VmHWM.
//
//    The service collects in a short-lived child process (ADR 0021): B times that path (spawn to
//    parsed result); C times the same collection in one process, as `steward-agent inventory`.
//
//   npm run bench:agent -- [--idle-seconds 60] [--runs 5] [--out bench/results/agent.json] [--cpu-prof]
//
// Targets (issue 9): idle RSS <= 60 MB, full inventory <= 1 s and <= 80 MB peak, 2-core machine.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    'idle-seconds': { type: 'string', default: '60' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-service-flags': { type: 'boolean', default: false },
  },
});
const idleSeconds = Number(values['idle-seconds']);
const runs = Number(values.runs);
const outFile = resolve(values.out ?? join(root, 'bench/results/agent.json'));

const { ApiClient } = await import('@steward/protocol');
const { cpuSeconds } = await import('./lib/proc-sampler.mjs');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');

const TARGETS = { idleRssMb: 60, fullInventoryMs: 1000, fullInventoryPeakMb: 80 };
const startedAt = new Date();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const memMb = (pid) => {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
};
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

const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-agent-'));
mkdirSync(join(dataDir, 'site'));
const cpuProfDir = values['cpu-prof'] ? join(dataDir, 'prof') : undefined;
const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
const agentBin = join(root, 'packages/agent/bin/steward-agent.js');

function probe(extraNodeArgs = []) {
  const out = execFileSync(
    process.execPath,
    [...extraNodeArgs, join(root, 'bench/lib/agent-inventory-probe.mjs'), root],
    { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(out);
}

const result = {
  command: `node bench/agent.mjs ${argv.join(' ')}`.trim(),
  startedAt: startedAt.toISOString(),
  source: sourceState(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    kernel: release(),
    node: process.version,
    uid: process.getuid?.() ?? null,
    loadAverageAtStart: loadAtStart,
  },
  targets: TARGETS,
};

let site;
let agent;
try {
  // ---- A. idle agent: the bundle the .deb ships, then the workspace build ----
  site = await startSiteProcess({ root, dataDir: join(dataDir, 'site'), adminPassword });
  log(`site server pid ${site.pid}: agents ${site.agentUrl}`);
  const api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  const token = await api.createToken({ description: 'agent benchmark', maxUses: 2 });
  // The flags the .deb's /usr/bin/steward-agent wrapper gives the service (build-deb.sh).
  const serviceFlags = values['no-service-flags']
    ? []
    : ['--max-semi-space-size=1', '--v8-pool-size=1', '--lite-mode'];
  result.serviceNodeFlags = serviceFlags;

  const measureIdle = async (label, entry) => {
    const dir = join(dataDir, `agent-${label}`);
    mkdirSync(dir);
    const env = { ...process.env, STEWARD_AGENT_STATE_DIR: dir };
    const enrolled = JSON.parse(
      execFileSync(process.execPath, [entry, 'enroll', '--token', token.token, '--json'], {
        env,
        encoding: 'utf8',
      }),
    );
    const deviceId = enrolled.deviceId;
    const agentLog = openSync(join(dataDir, `agent-${label}.log`), 'a');
    const agentArgs = [
      ...serviceFlags,
      ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []),
      entry,
      'run',
    ];
    const t0 = performance.now();
    agent = spawn(process.execPath, agentArgs, { env, stdio: ['ignore', agentLog, agentLog] });
    const agentExit = new Promise((r) => agent.once('exit', r));
    log(`${label}: agent pid ${agent.pid} (device ${deviceId}), waiting for its first inventory`);
    let firstInventoryMs;
    for (;;) {
      if (agent.exitCode !== null)
        throw new Error(`agent exited ${agent.exitCode}, see ${dataDir}/agent-${label}.log`);
      const device = await api.getDevice(deviceId);
      if (device.lastInventoryAt !== null) {
        firstInventoryMs = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > 180_000) throw new Error('no inventory from the agent in 180 s');
      await sleep(250);
    }
    const startup = memMb(agent.pid);
    log(
      `${label}: first inventory at the site after ${round(firstInventoryMs / 1000)} s; RSS ${round(startup.rss)} MB; sampling ${idleSeconds} s idle`,
    );
    const samples = [];
    const cpu0 = cpuSeconds(agent.pid);
    const w0 = performance.now();
    for (let i = 0; i < idleSeconds; i++) {
      await sleep(1000);
      samples.push(memMb(agent.pid).rss);
    }
    const idleCpuPct = ((cpuSeconds(agent.pid) - cpu0) / ((performance.now() - w0) / 1000)) * 100;
    const idle = {
      entry: relative(root, entry),
      startupToFirstInventoryMs: Math.round(firstInventoryMs),
      rssAfterStartupMb: round(startup.rss),
      seconds: idleSeconds,
      rssMedianMb: round(median(samples)),
      rssMaxMb: round(Math.max(...samples)),
      rssLastMb: round(samples.at(-1)),
      cpuPercentOfOneCore: round(idleCpuPct, 2),
      rssHighWaterMb: round(memMb(agent.pid).hwm),
    };
    log(`${label} idle: ${JSON.stringify(idle)}`);
    agent.kill('SIGTERM');
    await agentExit;
    agent = undefined;
    return idle;
  };

  // The .deb's agent: packaging/bundle.sh, as build-deb.sh and build-tarball.sh run it
  // (steward-agent.mjs and the collection process's steward-collect.mjs beside it).
  const bundle = join(dataDir, 'bundle', 'steward-agent.mjs');
  execFileSync('bash', [join(root, 'packages/agent/packaging/bundle.sh'), bundle, 'esm'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The same agent bundle alone: its collection process is the whole agent (`__collect-inventory`).
  const bundleAlone = join(dataDir, 'bundle-alone', 'steward-agent.mjs');
  mkdirSync(dirname(bundleAlone));
  copyFileSync(bundle, bundleAlone);
  result.idle = await measureIdle('bundle', bundle);
  result.idleWorkspaceBuild = await measureIdle('dist', agentBin);
  await stopSiteProcess(site);
  site = undefined;

  // ---- B. full inventory as the service collects it: a child process per run ----
  const { collectInChildProcess, collectCommand } = await import(
    pathToFileURL(join(root, 'packages/agent/dist/inventory/collect-process.js')).href
  );
  const { DEFAULT_SOFTWARE_SCAN_PATHS } = await import('@steward/protocol');
  // Process start alone, each run of the three entries in turn (same load): a request that
  // collects nothing, so wallMs - collectMs is what starting the collection process costs.
  const startEntries = { collectBundle: bundle, agentBundle: bundleAlone, workspaceBin: agentBin };
  const starts = Object.fromEntries(Object.keys(startEntries).map((k) => [k, []]));
  for (let i = 0; i < runs; i++)
    for (const [k, entry] of Object.entries(startEntries)) {
      const { stats } = await collectInChildProcess({ only: ['none'] }, entry);
      starts[k].push(stats);
    }
  result.collectionProcessStart = {
    how: 'collectInChildProcess({ only: ["none"] }) per entry, interleaved: collectBundle = bundle.sh output as the .deb installs it (starts steward-collect.mjs), agentBundle = steward-agent.mjs alone (starts itself with __collect-inventory), workspaceBin = packages/agent/bin/steward-agent.js',
    ...Object.fromEntries(
      Object.entries(starts).map(([k, s]) => [
        k,
        {
          command: collectCommand(startEntries[k]).map((a) =>
            a.startsWith('/') ? relative(root, a) : a,
          ),
          medianWallMs: median(s.map((x) => x.wallMs)),
          medianCpuMs: median(s.map((x) => x.cpuMs)),
          medianPeakMb: round(median(s.map((x) => x.peakRssMb))),
        },
      ]),
    ),
  };
  log(`collection process start: ${JSON.stringify(result.collectionProcessStart)}`);
  const child = [];
  for (let i = 0; i < runs; i++) {
    const { inventory, stats } = await collectInChildProcess(
      { includeSoftwareScan: true, softwareScanPaths: DEFAULT_SOFTWARE_SCAN_PATHS },
      bundle,
    );
    const instances = Object.values(inventory.classes).reduce((n, l) => n + l.length, 0);
    child.push({
      ...stats,
      classes: Object.keys(inventory.classes).length,
      instances,
      packages: inventory.packages?.length ?? null,
      failures: inventory.failures.map((f) => `${f.className}: ${f.error}`),
    });
    log(
      `full inventory ${i + 1}/${runs} (child process): ${stats.wallMs} ms in all, ${stats.collectMs} ms collecting, peak ${stats.peakRssMb} MB (${instances} instances)`,
    );
  }
  // ---- C. the same in one fresh process (what `steward-agent inventory` does) ----
  const probes = [];
  for (let i = 0; i < runs; i++) {
    const p = probe(cpuProfDir && i === 0 ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []);
    probes.push(p);
    log(`full inventory ${i + 1}/${runs} (in process): ${p.ms} ms, peak ${p.hwmMb} MB`);
  }
  result.fullInventory = {
    how: "collectInChildProcess from packages/agent/dist/inventory/collect-process.js with the bundle.sh output as entry, as the .deb's `steward-agent run` collects (steward-collect.mjs): every built-in class, packages, software scan of the default paths",
    runs: child,
    medianWallMs: median(child.map((p) => p.wallMs)),
    medianCollectMs: median(child.map((p) => p.collectMs)),
    medianStartMs: median(child.map((p) => p.wallMs - p.collectMs)),
    medianCpuMs: median(child.map((p) => p.cpuMs)),
    medianPeakMb: round(median(child.map((p) => p.peakRssMb))),
  };
  result.fullInventoryInProcess = {
    how: 'bench/lib/agent-inventory-probe.mjs: collectInventory in one fresh node process without V8 flags (the `steward-agent inventory` command)',
    runs: probes,
    medianMs: median(probes.map((p) => p.ms)),
    medianCpuMs: median(probes.map((p) => p.cpuMs)),
    medianPeakMb: round(median(probes.map((p) => p.hwmMb))),
    medianPeakBeforeCollectionMb: round(median(probes.map((p) => p.hwmBeforeMb))),
  };
  result.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  result.met = {
    idleRss: result.idle.rssMedianMb <= TARGETS.idleRssMb,
    idleRssWorkspaceBuild: result.idleWorkspaceBuild.rssMedianMb <= TARGETS.idleRssMb,
    fullInventoryTime: result.fullInventory.medianWallMs <= TARGETS.fullInventoryMs,
    fullInventoryPeak: result.fullInventory.medianPeakMb <= TARGETS.fullInventoryPeakMb,
  };
  if (cpuProfDir) result.cpuProfiles = cpuProfDir;
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  log(`written ${relative(process.cwd(), outFile)}`);
  console.log(
    JSON.stringify(
      {
        idle: result.idle,
        fullInventory: { ...result.fullInventory, runs: undefined },
        met: result.met,
      },
      null,
      2,
    ),
  );
} finally {
  if (agent) agent.kill('SIGKILL');
  if (site) await stopSiteProcess(site);
  if (!values.keep && !cpuProfDir) rmSync(dataDir, { recursive: true, force: true });
  else log(`kept ${dataDir}`);
}
