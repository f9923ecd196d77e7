#!/usr/bin/env node
// Client push benchmark (issue 9): a real site server process pushes the real agent tarball over
// SSH to --hosts (default 50) real sshd processes on loopback addresses (127.x.y.z, as root),
// each installing into its own prefix (SetEnv STEWARD_PREFIX/STEWARD_STATE_DIR, service none).
// A host counts once its agent has enrolled and reported inventory (the push's own definition of
// success). Measured: wall time from the job's creation to the last target done, hosts per
// minute, the slowest host, the server's peak RSS. Target: 50 hosts < 60 s with <= 10 sessions.
// Writes bench/results/push.json (or --out) with the command that produced it.
//
//   npm run bench:push -- [--hosts 50] [--sessions 10] [--out file]
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { cpus, homedir, loadavg, release, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    hosts: { type: 'string', default: '50' },
    sessions: { type: 'string', default: '10' },
    out: { type: 'string' },
    // The physical bound: the same install-agent.sh runs (same concurrency), locally, with no
    // SSH, no push runner and no attempt bookkeeping: what 50 agent installs, enrolments and
    // first inventories cost on this machine by themselves.
    'without-ssh': { type: 'boolean', default: false },
    // Another build's tarball (steward-agent-<version>-linux.tar.gz), e.g. the base of a change.
    tarball: { type: 'string' },
  },
});
const withoutSsh = values['without-ssh'];
const hostCount = Number(values.hosts);
const sessions = Number(values.sessions);
const outFile = resolve(values.out ?? join(root, 'bench/results/push.json'));

const { ApiClient, ops } = await import('@steward/protocol');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');
const { ProcSampler } = await import('./lib/proc-sampler.mjs');

const startedAt = new Date();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const packages = join(root, 'packages/agent/dist/packages');
const hasTarball = () =>
  existsSync(packages) &&
  readdirSync(packages).some((f) => /^steward-agent-.+-linux\.tar\.gz$/.test(f));
if (values.tarball === undefined && !hasTarball()) {
  log('building the agent tarball');
  const r = spawnSync('bash', [join(root, 'packages/agent/packaging/build-tarball.sh')], {
    stdio: 'inherit',
  });
  if (r.status !== 0 || !hasTarball()) throw new Error('no agent tarball');
}

/** The agent tarball pushed: --tarball, or the one built in this checkout. */
function tarballPath() {
  if (values.tarball !== undefined) return resolve(values.tarball);
  const name = readdirSync(packages).find((f) => /^steward-agent-.+-linux\.tar\.gz$/.test(f));
  return join(packages, name);
}

const work = mkdtempSync(join(tmpdir(), 'steward-bench-push-'));
const keyFile = join(work, 'push_key');
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
const publicKey = readFileSync(`${keyFile}.pub`, 'utf8').trim();
mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

function listening(host, port) {
  return new Promise((r) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

/** One sshd "host" on its own loopback address with its own prefix. */
async function startHost(i) {
  const dir = join(work, `host-${i}`);
  mkdirSync(join(dir, 'prefix'), { recursive: true });
  const address = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
  const port = 22;
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  writeFileSync(join(dir, 'authorized_keys'), `${publicKey}\n`, { mode: 0o600 });
  const cfg = join(dir, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      `SetEnv STEWARD_PREFIX=${join(dir, 'prefix')} STEWARD_STATE_DIR=${join(dir, 'state')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // Sessions run root's shell, and bash run by sshd reads ~/.bashrc: this machine's runs
  // `pyenv init` (about 100 ms of CPU and 0.5 s of wall time per session command, twice per
  // host). A host is a clean machine, as in the push tests (test-support/sshd-hosts.ts): its
  // sessions see an empty ~/.bashrc, bind-mounted in the host's private mount namespace.
  const bashrc = join(homedir(), '.bashrc');
  let child;
  if (process.getuid?.() === 0 && existsSync(bashrc)) {
    writeFileSync(join(dir, 'bashrc'), '# a benchmark host: no shell start-up of this machine\n');
    child = spawn(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount --bind ${join(dir, 'bashrc')} ${bashrc} && exec /usr/sbin/sshd -D -e -f ${cfg}`,
      ],
      { stdio: 'ignore' },
    );
  } else child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfg], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (!(await listening(address, port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`sshd ${i} did not start`);
    await sleep(50);
  }
  return { dir, address, port, child, target: `${address}:${port}` };
}

/** Pids (not ours) whose command line or environment names `needle`: the pushed agents. */
function pidsMentioning(needle) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    for (const f of ['cmdline', 'environ'])
      try {
        if (readFileSync(`/proc/${pid}/${f}`).includes(needle)) {
          found.push(pid);
          break;
        }
      } catch {
        // gone
      }
  }
  return found;
}

/** Seconds between the first log lines matching `from` and `to` (undefined when absent). */
function span(lines, from, to) {
  const at = (re) => {
    const l = lines.find((x) => re.test(x));
    return l ? Date.parse(l.slice(0, l.indexOf(' '))) : undefined;
  };
  const a = at(from);
  const b = at(to);
  return a === undefined || b === undefined ? undefined : (b - a) / 1000;
}

/**
 * Per host: queued (job created -> attempt started), connect, checks, copy, install, enrol (install
 * started -> device enrolled: install-agent.sh enrols before it starts the agent), inventory
 * (enrolled -> first inventory), and noticed (first inventory -> target succeeded: the runner's
 * own detection delay).
 */
async function perHostTimeline(api, detail, jobStart) {
  const rows = [];
  for (const t of detail.targets) {
    const d = await api.call(ops.clientPush.getTarget, { params: { id: t.id } });
    const last = d.attemptLog.at(-1);
    if (!last) continue;
    const lines = last.log;
    const row = {
      queued: (Date.parse(last.startedAt) - jobStart) / 1000,
      connect: span(lines, /attempt \d+ at/, /connected$/),
      checks: span(lines, /connected$/, /prerequisites met/),
      // Of checks: the site recording the state, then the probe script on the target.
      stateWrite: span(lines, /connected$/, /checking prerequisites$/),
      probe: span(lines, /checking prerequisites$/, /checks: os=/),
      copy: span(lines, /copying (agent|the tarball)/, / copied( \d+ bytes)?$/),
      install: span(lines, /running: /, /install-agent.sh exited 0/),
    };
    const installing = lines.find((l) => /running: /.test(l));
    if (t.deviceId && installing) {
      const dev = await api.call(ops.devices.get, { params: { id: t.deviceId } });
      const i = Date.parse(installing.slice(0, installing.indexOf(' ')));
      row.enrol = (Date.parse(dev.enrolledAt) - i) / 1000;
      if (dev.lastInventoryAt) {
        row.inventory = (Date.parse(dev.lastInventoryAt) - Date.parse(dev.enrolledAt)) / 1000;
        row.noticed = (Date.parse(t.updatedAt) - Date.parse(dev.lastInventoryAt)) / 1000;
      }
    }
    rows.push(row);
  }
  return rows;
}

function summarise(rows) {
  const out = {};
  for (const k of [
    'queued',
    'connect',
    'checks',
    'stateWrite',
    'probe',
    'copy',
    'install',
    'enrol',
    'inventory',
    'noticed',
  ]) {
    const v = rows
      .map((r) => r[k])
      .filter((x) => typeof x === 'number')
      .sort((a, b) => a - b);
    if (v.length === 0) continue;
    out[k] = {
      median: round(v[Math.floor(v.length / 2)], 2),
      max: round(v.at(-1), 2),
      n: v.length,
    };
  }
  return out;
}

/** Push copies the site's production agent version from the content library: the built tarball. */
async function registerProduction(api) {
  const tarPath = tarballPath();
  const tarName = basename(tarPath);
  const tarBytes = readFileSync(tarPath);
  const tarSha = createHash('sha256').update(tarBytes).digest('hex');
  const version = /^steward-agent-(.+)-linux\.tar\.gz$/.exec(tarName)[1];
  await api.uploadContentFile(tarSha, tarBytes);
  await api.call(ops.agentVersions.register, {
    body: {
      name: 'steward-agent',
      version,
      files: [
        { name: tarName, kind: 'tarball', arch: 'all', sha256: tarSha, size: tarBytes.length },
      ],
    },
  });
  await api.call(ops.agentVersions.updateSettings, { body: { productionVersion: version } });
}

/** Runs install-agent.sh for every host locally, `sessions` at a time; waits for the inventories. */
async function installWithoutSsh(api) {
  const t0 = Date.now();
  const installSeconds = [];
  let next = 0;
  const one = async (i) => {
    const dir = join(work, `local-${i}`);
    mkdirSync(join(dir, 'prefix'), { recursive: true });
    const token = await api.call(ops.enrolment.createToken, {
      body: { description: `bench ${i}`, maxUses: 1, expiresInHours: 1 },
    });
    const started = Date.now();
    const code = await new Promise((r) => {
      const c = spawn(
        'sh',
        [
          '-c',
          // `times` (POSIX): the CPU of the waited-for children (tar, install, enroll) at the end.
          'tar -xzf "$1" -C "$2" && sh "$2/steward-agent/install-agent.sh" --token "$3" --prefix "$2/prefix" --state-dir "$2/state" --service none >/dev/null && times >"$2/times"',
          'sh',
          tarballPath(),
          dir,
          token.token,
        ],
        { stdio: 'ignore' },
      );
      c.once('exit', r);
    });
    if (code !== 0) throw new Error(`install ${i} exited ${code}`);
    installSeconds.push((Date.now() - started) / 1000);
    dirs.push(dir);
  };
  const dirs = [];
  const worker = async () => {
    for (let i = next++; i < hostCount; i = next++) await one(i);
  };
  await Promise.all(Array.from({ length: sessions }, worker));
  const installsDone = (Date.now() - t0) / 1000;
  let done = 0;
  while (Date.now() - t0 < 15 * 60_000) {
    const page = await api.call(ops.devices.list, { query: { limit: 500 } });
    done = page.items.filter((d) => d.lastInventoryAt).length;
    if (done >= hostCount) break;
    await sleep(250);
  }
  installSeconds.sort((a, b) => a - b);
  // CPU per host: the install's children (from `times`) and the running agent with the
  // inventory processes it waited for (/proc/<pid>/stat utime+stime+cutime+cstime).
  const tick = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
  const seconds = (t) =>
    t
      .trim()
      .split(/\s+/)
      .reduce((n, x) => {
        const m = /^(?:(\d+)m)?([\d.]+)s$/.exec(x);
        return m ? n + Number(m[1] ?? 0) * 60 + Number(m[2]) : n;
      }, 0);
  const cpu = dirs.map((dir) => {
    const lines = readFileSync(join(dir, 'times'), 'utf8').trim().split('\n');
    const install = seconds(lines.at(-1) ?? '');
    let agent = 0;
    try {
      const pid = readFileSync(join(dir, 'state/agent.pid'), 'utf8').trim();
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      agent = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick;
    } catch {
      // the agent is gone: counted as 0 (said by agentCpuCounted)
    }
    return { install, agent };
  });
  const total = cpu.reduce((n, c) => n + c.install + c.agent, 0);
  return {
    done,
    wallSeconds: round((Date.now() - t0) / 1000),
    installsDoneSeconds: round(installsDone),
    // What the installs cost by themselves, whatever else the machine runs.
    cpuSecondsPerHost: {
      install: round(cpu.reduce((n, c) => n + c.install, 0) / cpu.length, 2),
      agentUntilNow: round(cpu.reduce((n, c) => n + c.agent, 0) / cpu.length, 2),
    },
    agentCpuCounted: cpu.filter((c) => c.agent > 0).length,
    cpuSecondsAll: round(total),
    // The wall time those CPU seconds need on this machine's cores with nothing else running.
    boundSecondsOnIdleCores: round(total / cpus().length),
    installSeconds: {
      median: round(installSeconds[Math.floor(installSeconds.length / 2)] ?? 0, 2),
      max: round(installSeconds.at(-1) ?? 0, 2),
    },
  };
}

/**
 * CPU seconds of the hosts' side: each sshd (its own CPU and that of the sessions it has reaped,
 * which includes install-agent.sh, tar and `steward-agent enroll`) and each started agent (its
 * own and its collection processes'). Read once every target is done.
 */
function hostsCpuSeconds(hostList, stateDirOf) {
  let ssh = 0;
  let agents = 0;
  let counted = 0;
  for (const h of hostList) {
    try {
      const c = procCpu(h.child.pid);
      ssh += c.self + c.children;
    } catch {
      // gone: not counted
    }
    try {
      const pid = Number(readFileSync(join(stateDirOf(h), 'agent.pid'), 'utf8').trim());
      const c = procCpu(pid);
      agents += c.self + c.children;
      counted++;
    } catch {
      // no agent
    }
  }
  return { ssh, agents, agentsCounted: counted };
}

/** { self, children } CPU seconds of a process (children: those it has waited for). */
function procCpu(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    self: (Number(f[11]) + Number(f[12])) / clockTick,
    children: (Number(f[13]) + Number(f[14])) / clockTick,
  };
}
const clockTick = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

/** Where the machine's CPU went during a phase: the server, the hosts, this process, the rest. */
function cpuBreakdown(phase, hostsCpu, hostCount) {
  if (!phase) return undefined;
  const hosts = hostsCpu.ssh + hostsCpu.agents;
  const measured = phase.cpuSeconds + hosts;
  return {
    serverSeconds: round(phase.cpuSeconds),
    hostsSeconds: round(hosts),
    sshSessionsSeconds: round(hostsCpu.ssh),
    agentsSeconds: round(hostsCpu.agents),
    agentsCounted: hostsCpu.agentsCounted,
    benchmarkProcessSeconds: round(phase.selfCpuSeconds),
    machineSeconds: round(phase.machineCpuSeconds),
    // Everything else on the machine meanwhile (other work competing for the same cores).
    otherProcessesSeconds: round(
      Math.max(0, phase.machineCpuSeconds - measured - phase.selfCpuSeconds),
    ),
    perHostSeconds: round(measured / hostCount, 2),
    // The wall time the push's own CPU (server and hosts) needs on idle cores.
    boundSecondsOnIdleCores: round(measured / cpus().length),
  };
}

function machineFacts() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMb: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    node: process.version,
    loadAtStart,
    loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const hosts = [];
let site;
let sampler;
try {
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  const dataDir = join(work, 'site');
  mkdirSync(dataDir);
  site = await startSiteProcess({ root, dataDir, adminPassword });
  sampler = new ProcSampler(site.pid, 250);
  sampler.start();
  const api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  if (withoutSsh) {
    await registerProduction(api);
    sampler.mark('push');
    const r = await installWithoutSsh(api);
    sampler.stop();
    const phase = sampler.phases.get('push');
    const result = {
      benchmark: 'agent install without SSH: the physical bound of client push (issue 9)',
      command: `npm run bench:push -- ${argv.join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      machine: machineFacts(),
      hosts: hostCount,
      concurrentInstalls: sessions,
      ...r,
      serverPeakRssMb: round(sampler.peakRssMb ?? 0),
      serverCpuSeconds: round(phase?.cpuSeconds ?? 0),
      machineCpuSeconds: round(phase?.machineCpuSeconds ?? 0),
      // Everything else on the machine meanwhile (other work competing for the same cores).
      otherProcessesCpuSeconds: round(
        Math.max(
          0,
          (phase?.machineCpuSeconds ?? 0) -
            (phase?.cpuSeconds ?? 0) -
            (phase?.selfCpuSeconds ?? 0) -
            r.cpuSecondsAll,
        ),
      ),
      note: 'install-agent.sh from the same tarball, run locally (no SSH, no push runner) with the same concurrency; done = every device enrolled and reported its first inventory. The agents, the server and whatever else runs share the same cores.',
    };
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    log(
      `${r.done}/${hostCount} inventoried in ${r.wallSeconds} s without SSH -> ${relative(process.cwd(), outFile)}`,
    );
  } else {
    log(`site at ${site.adminUrl}; starting ${hostCount} sshd hosts`);
    for (let i = 0; i < hostCount; i++) hosts.push(await startHost(i));
    await registerProduction(api);
    await api.call(ops.clientPush.updateSettings, { body: { maxConcurrentSessions: sessions } });
    await api.call(ops.clientPush.createAccount, {
      body: {
        name: 'bench',
        user: 'root',
        privateKey: readFileSync(keyFile, 'utf8'),
        serviceMode: 'none',
      },
    });
    sampler.mark('push');
    const t0 = Date.now();
    const job = await api.call(ops.clientPush.startJob, {
      body: { account: 'bench', hosts: hosts.map((h) => h.target) },
    });
    log(`job ${job.id} started`);
    let detail = job;
    const inSession = new Set(['connecting', 'checking', 'copying', 'installing']);
    let peakSessions = 0;
    const terminal = new Set(['succeeded', 'failed', 'retry-scheduled', 'skipped-already-client']);
    while (Date.now() - t0 < 15 * 60_000) {
      detail = await api.call(ops.clientPush.getJob, { params: { id: job.id } });
      const done = detail.targets.filter((t) => terminal.has(t.state)).length;
      peakSessions = Math.max(
        peakSessions,
        detail.targets.filter((t) => inSession.has(t.state)).length,
      );
      if (done === detail.targets.length) break;
      await sleep(250);
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    sampler.stop();
    const hostsCpu = hostsCpuSeconds(hosts, (h) => join(h.dir, 'state'));
    const jobStart = Date.parse(detail.createdAt);
    const per = detail.targets.map((t) => ({
      host: t.host,
      state: t.state,
      seconds: (Date.parse(t.updatedAt) - jobStart) / 1000,
      error: t.lastErrorCode,
    }));
    const slowest = per.reduce((a, b) => (b.seconds > a.seconds ? b : a), per[0]);
    const timeline = await perHostTimeline(api, detail, jobStart);
    const succeeded = per.filter((p) => p.state === 'succeeded').length;
    const phase = sampler.phases.get('push');
    const result = {
      benchmark: 'client push over SSH (issue 9)',
      command: `npm run bench:push -- ${argv.join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      machine: machineFacts(),
      hosts: hostCount,
      maxConcurrentSessions: sessions,
      // Sampled every 250 ms from the API: targets in connecting/checking/copying/installing.
      peakSessionsObserved: peakSessions,
      succeeded,
      counts: detail.counts,
      wallSeconds: round(wallSeconds),
      hostsPerMinute: round((succeeded / wallSeconds) * 60),
      slowestHost: slowest,
      serverPeakRssMb: round(sampler.peakRssMb ?? phase?.peakRssMb ?? 0),
      serverCpuSeconds: round(phase?.cpuSeconds ?? 0),
      cpu: cpuBreakdown(phase, hostsCpu, hostCount),
      target: '50 hosts < 60 s with <= 10 concurrent sessions',
      metTarget: succeeded === hostCount && wallSeconds < 60 && sessions <= 10,
      failures: await Promise.all(
        per
          .filter((p) => p.state !== 'succeeded')
          .map(async (p) => {
            const t = detail.targets.find((x) => x.host === p.host);
            const d = await api.call(ops.clientPush.getTarget, { params: { id: t.id } });
            return { ...p, lastError: t.lastError, logTail: d.attemptLog.at(-1)?.log.slice(-4) };
          }),
      ),
      // Where each host's time went, from its attempt log and its device (seconds; median / max).
      timeline: summarise(timeline),
      note: 'Every host is this machine (sshd on a loopback address): the pushed agents, the sshd sessions and the site server share its cores with whatever else runs.',
    };
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    log(
      `${succeeded}/${hostCount} succeeded in ${round(wallSeconds)} s (${result.hostsPerMinute} hosts/min), slowest ${slowest?.host} ${slowest?.seconds} s, peak RSS ${result.serverPeakRssMb} MB -> ${relative(process.cwd(), outFile)}`,
    );
  }
} finally {
  sampler?.stop();
  for (const h of hosts) h.child.kill('SIGTERM');
  for (const pid of pidsMentioning(work))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  if (site) await stopSiteProcess(site);
  rmSync(work, { recursive: true, force: true });
}
