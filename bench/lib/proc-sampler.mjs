// Samples a process's CPU and memory from /proc every 500 ms and attributes them to the
// benchmark phase running at the time. CPU is in % of one core (200 % = both cores of a 2-core box).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields start after the LAST ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusySeconds() {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / CLK_TCK;
}

/** VmRSS and VmHWM (peak RSS) in MB. */
function memoryMb(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

const round = (n) => Math.round(n * 10) / 10;

export class ProcSampler {
  /** `extraCpu`: CPU seconds of helpers working for the server (PostgreSQL backends), or undefined. */
  constructor(pid, intervalMs = 500, extraCpu = undefined) {
    this.pid = pid;
    this.extraCpu = extraCpu;
    this.intervalMs = intervalMs;
    this.phase = 'setup';
    this.phases = new Map();
    this.last = undefined;
    this.timer = undefined;
    this.peakRssMb = 0;
  }

  start() {
    this.last = { t: performance.now(), cpu: cpuSeconds(this.pid) };
    this.open(this.phase);
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Starts attributing samples to `name` (closing the previous phase's exact CPU window). */
  mark(name) {
    this.sample();
    this.close(this.phase);
    this.phase = name;
    this.open(name);
  }

  stop() {
    clearInterval(this.timer);
    try {
      this.sample();
      this.close(this.phase);
    } catch {
      // The process is gone: keep what was sampled.
    }
  }

  open(name) {
    const p = this.phases.get(name) ?? {
      cpuSeconds: 0,
      selfCpuSeconds: 0,
      extraCpuSeconds: 0,
      machineCpuSeconds: 0,
      wallSeconds: 0,
      peakCpuPercent: 0,
      peakRssMb: 0,
      samples: 0,
    };
    p.startCpu = cpuSeconds(this.pid);
    p.startSelf = cpuSeconds(process.pid);
    p.startExtra = this.extraCpu?.() ?? 0;
    p.startMachine = machineBusySeconds();
    p.startT = performance.now();
    this.phases.set(name, p);
  }

  close(name) {
    const p = this.phases.get(name);
    if (!p || p.startT === undefined) return;
    p.cpuSeconds += cpuSeconds(this.pid) - p.startCpu;
    p.selfCpuSeconds += cpuSeconds(process.pid) - p.startSelf;
    p.extraCpuSeconds += (this.extraCpu?.() ?? 0) - p.startExtra;
    p.machineCpuSeconds += machineBusySeconds() - p.startMachine;
    p.wallSeconds += (performance.now() - p.startT) / 1000;
    p.startT = undefined;
  }

  sample() {
    let cpu;
    let mem;
    try {
      cpu = cpuSeconds(this.pid);
      mem = memoryMb(this.pid);
    } catch {
      return;
    }
    const t = performance.now();
    const dt = (t - this.last.t) / 1000;
    const p = this.phases.get(this.phase);
    if (p && dt >= this.intervalMs / 2000) {
      p.peakCpuPercent = Math.max(p.peakCpuPercent, ((cpu - this.last.cpu) / dt) * 100);
      p.samples++;
      this.last = { t, cpu };
    }
    if (p) p.peakRssMb = Math.max(p.peakRssMb, mem.rss);
    this.peakRssMb = Math.max(this.peakRssMb, mem.hwm, mem.rss);
  }

  /** { cpuAvgPercent, cpuPeakPercent, rssPeakMb } of a phase. */
  summary(name) {
    const p = this.phases.get(name);
    if (!p) return undefined;
    const pct = (seconds) => (p.wallSeconds > 0 ? (seconds / p.wallSeconds) * 100 : 0);
    const avg = pct(p.cpuSeconds);
    return {
      cpuAvgPercent: round(avg),
      // A phase shorter than one interval has no sample of its own: its peak is its average.
      cpuPeakPercent: round(Math.max(p.peakCpuPercent, avg)),
      rssPeakMb: round(p.peakRssMb),
      cpuSeconds: round(p.cpuSeconds),
      // This process (simulator and benchmark) and everything else on the machine, so a reader
      // can tell when other work competed for the same cores.
      benchmarkProcessCpuPercent: round(pct(p.selfCpuSeconds)),
      ...(this.extraCpu ? { databaseCpuPercent: round(pct(p.extraCpuSeconds)) } : {}),
      otherProcessesCpuPercent: round(
        Math.max(0, pct(p.machineCpuSeconds - p.cpuSeconds - p.selfCpuSeconds - p.extraCpuSeconds)),
      ),
    };
  }
}
