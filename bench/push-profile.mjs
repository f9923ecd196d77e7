#!/usr/bin/env node
// Where one pushed host's CPU goes (issue 9, ADR 0037): the client push benchmark (push.mjs) says
// how long 50 hosts take; this says what each host costs, one host at a time, so the figures do
// not depend on what else shares the machine's cores.
//
// A site server (SQLite, loopback) runs as a child process. For each of --hosts hosts, one after
// the other: a fresh enrolment token, then `tar -x` of the agent tarball and its install-agent.sh
// (--service none, own prefix and state directory) with STEWARD_INSTALL_TRACE on, then a wait for
// the device's first inventory at the site. Measured per host, in CPU milliseconds:
//   install   the install shell's children (tar, the node check, `steward-agent enroll`, ...)
//   agent     the started `steward-agent run` process itself, until its first inventory arrived
//   collect   its waited-for children: the collection process and what that ran (dpkg-query...)
//   server    the site server process over the same span (enrolment, policy, inventory ingest)
// and wall milliseconds per install step (from the trace) and from start to first inventory.
// Then every agent stays up for --idle-seconds and their CPU over that time is the idle cost.
// Medians over the hosts are written to --out (default bench/results/push-profile.json).
//
// A/B: with --tarball given more than once, the hosts alternate between the tarballs (a, b, b,
// a, a, b, ...) against the same site, so a change is compared with its base in the same run,
// under the same load; --hosts is then per tarball, and the medians are per tarball.
//
//   npm run bench:push-profile -- [--hosts 7] [--idle-seconds 30] [--tarball file ...] [--out file]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    hosts: { type: 'string', default: '7' },
    'idle-seconds': { type: 'string', default: '30' },
    tarball: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
});
const hostCount = Number(values.hosts);
const idleSeconds = Number(values['idle-seconds']);
const outFile = resolve(values.out ?? join(root, 'bench/results/push-profile.json'));

const { ApiClient, ops } = await import('@steward/protocol');
const { startSiteProcess, stopSiteProcess } = await import('./lib/site-process.mjs');

const startedAt = new Date();
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const log = (m) =>
  console.error(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${m}`);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
};
const tick = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

/** { self, children } CPU milliseconds of a process (children: the ones it has waited for). */
function procCpuMs(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (i) => (Number(f[i]) * 1000) / tick;
  return { self: ms(11) + ms(12), children: ms(13) + ms(14) };
}

/** CPU milliseconds from the POSIX `times` output's second line (the shell's children). */
function childrenMsFromTimes(text) {
  const line = text.trim().split('\n').at(-1) ?? '';
  return Math.round(
    line
      .trim()
      .split(/\s+/)
      .reduce((n, x) => {
        const m = /^(?:(\d+)m)?([\d.]+)s$/.exec(x);
        return m ? n + (Number(m[1] ?? 0) * 60 + Number(m[2])) * 1000 : n;
      }, 0),
  );
}

/** Wall milliseconds between the install trace's events ("<epoch ms> <event>" lines). */
function traceSteps(text) {
  const events = text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const i = l.indexOf(' ');
      return { t: Number(l.slice(0, i)), name: l.slice(i + 1).split(' ')[0] };
    });
  const at = (n) => events.find((e) => e.name === n)?.t;
  const span = (a, b) => (at(a) !== undefined && at(b) !== undefined ? at(b) - at(a) : undefined);
  return {
    nodeCheck: span('start', 'runtime'),
    files: span('runtime', 'files'),
    enrol: span('files', 'enrolled'),
    start: span('enrolled', 'started'),
    end: at('started'),
  };
}

const packages = join(root, 'packages/agent/dist/packages');
const tarballs = (
  values.tarball ?? [
    join(
      packages,
      (existsSync(packages) ? readdirSync(packages) : []).find((f) =>
        /^steward-agent-.+-linux\.tar\.gz$/.test(f),
      ) ?? '',
    ),
  ]
).map((t) => resolve(t));
for (const t of tarballs)
  if (!existsSync(t) || !t.endsWith('.tar.gz'))
    throw new Error(`no agent tarball ${t}: run packages/agent/packaging/build-tarball.sh first`);
/** Which tarball host i installs: ABBA order, so slow drifts of the machine hit each alike. */
const variantOf = (i) => {
  const n = tarballs.length;
  const round = Math.floor(i / n);
  const k = i % n;
  return round % 2 === 0 ? k : n - 1 - k;
};

const work = mkdtempSync(join(tmpdir(), 'steward-bench-push-profile-'));
const agents = [];
let site;
try {
  const adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  mkdirSync(join(work, 'site'));
  site = await startSiteProcess({ root, dataDir: join(work, 'site'), adminPassword });
  const api = new ApiClient({ baseUrl: site.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  const rows = [];
  for (let i = 0; i < hostCount * tarballs.length; i++) {
    const variant = variantOf(i);
    const dir = join(work, `host-${i}`);
    mkdirSync(join(dir, 'prefix'), { recursive: true });
    const token = await api.call(ops.enrolment.createToken, {
      body: { description: `profile ${i}`, maxUses: 1, expiresInHours: 1 },
    });
    const server0 = procCpuMs(site.pid).self;
    const t0 = Date.now();
    const code = await new Promise((r) => {
      const c = spawn(
        'sh',
        [
          '-c',
          'tar -xzf "$1" -C "$2" && STEWARD_INSTALL_TRACE="$2/trace" sh "$2/steward-agent/install-agent.sh" --token "$3" --prefix "$2/prefix" --state-dir "$2/state" --service none >/dev/null && times >"$2/times"',
          'sh',
          tarballs[variant],
          dir,
          token.token,
        ],
        { stdio: 'ignore' },
      );
      c.once('exit', r);
    });
    if (code !== 0) throw new Error(`install ${i} exited ${code}`);
    const installedAt = Date.now();
    let device;
    while (Date.now() - t0 < 120_000) {
      const page = await api.call(ops.devices.list, { query: { limit: 500 } });
      device = page.items.find((d) => d.lastInventoryAt && !rows.some((r) => r.deviceId === d.id));
      if (device) break;
      await sleep(50);
    }
    if (!device) throw new Error(`host ${i}: no inventory within 120 s`);
    const inventoryAt = Date.now();
    // What the agent does right after its first report (flush, acknowledgement) belongs to it.
    await sleep(500);
    const pid = Number(readFileSync(join(dir, 'state/agent.pid'), 'utf8').trim());
    agents.push(pid);
    const agent = procCpuMs(pid);
    // An install-agent.sh from before STEWARD_INSTALL_TRACE writes no trace.
    const steps = traceSteps(
      existsSync(join(dir, 'trace')) ? readFileSync(join(dir, 'trace'), 'utf8') : '',
    );
    const row = {
      deviceId: device.id,
      variant,
      cpuMs: {
        install: childrenMsFromTimes(readFileSync(join(dir, 'times'), 'utf8')),
        agent: Math.round(agent.self),
        collect: Math.round(agent.children),
        server: Math.round(procCpuMs(site.pid).self - server0),
      },
      wallMs: {
        ...steps,
        end: undefined,
        install: installedAt - t0,
        startToInventory: inventoryAt - (steps.end ?? installedAt),
        total: inventoryAt - t0,
      },
    };
    row.cpuMs.total = row.cpuMs.install + row.cpuMs.agent + row.cpuMs.collect + row.cpuMs.server;
    rows.push(row);
    log(`host ${i} (${variant}): ${JSON.stringify(row.cpuMs)} ${JSON.stringify(row.wallMs)}`);
  }
  const before = agents.map((p) => procCpuMs(p));
  await sleep(idleSeconds * 1000);
  const idleMs = agents.map((p, i) => {
    const now = procCpuMs(p);
    return now.self + now.children - before[i].self - before[i].children;
  });
  const variants = tarballs.map((t, v) => {
    const mine = rows.filter((r) => r.variant === v);
    const pick = (k, f) => median(mine.map((r) => r[k][f]));
    const idle = idleMs.filter((_, i) => rows[i].variant === v);
    return {
      tarball: relative(root, t),
      hosts: mine.length,
      medianCpuMs: Object.fromEntries(
        ['install', 'agent', 'collect', 'server', 'total'].map((k) => [k, pick('cpuMs', k)]),
      ),
      medianWallMs: Object.fromEntries(
        ['nodeCheck', 'files', 'enrol', 'start', 'install', 'startToInventory', 'total'].map(
          (k) => [k, pick('wallMs', k)],
        ),
      ),
      idleCpuMsPerAgentPerMinute: Math.round(
        (idle.reduce((a, b) => a + b, 0) / Math.max(1, idle.length)) * (60 / idleSeconds),
      ),
    };
  });
  const result = {
    benchmark: 'client push: CPU per installed host, one host at a time (issue 9, ADR 0037)',
    command: `npm run bench:push-profile -- ${argv.join(' ')}`.trim(),
    startedAt: startedAt.toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      kernel: release(),
      node: process.version,
      loadAtStart,
      loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    idleSeconds,
    variants,
    perHost: rows.map(({ deviceId: _, ...r }) => r),
    note: 'CPU milliseconds from /proc (clock ticks of 10 ms: single figures are +-10 ms). install = the install shell children (tar, node check, enroll); agent = the steward-agent run process until 0.5 s after its first inventory reached the site; collect = its collection child process and what that ran; server = the site process over the same span.',
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  for (const v of variants)
    log(
      `${v.tarball}: median CPU ms per host ${JSON.stringify(v.medianCpuMs)}, idle ${v.idleCpuMsPerAgentPerMinute} ms/min per agent`,
    );
  log(`-> ${relative(process.cwd(), outFile)}`);
} finally {
  for (const pid of agents)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  if (site) await stopSiteProcess(site);
  rmSync(work, { recursive: true, force: true });
}
