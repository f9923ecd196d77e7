import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InventoryInstance } from '@steward/protocol';
import { pathExists, pid1Name, readText, readTextSync, runIfPresent } from '../system.js';
import type { ClassCollector } from '../types.js';

export interface UnitRow {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
}

/** Parses `systemctl list-units --type=service --all --no-legend --plain`. */
export function parseListUnits(text: string): UnitRow[] {
  const out: UnitRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[\s\u25cf*]+/, '');
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m === null || !m[1]?.endsWith('.service')) continue;
    out.push({
      unit: m[1],
      load: m[2] ?? '',
      active: m[3] ?? '',
      sub: m[4] ?? '',
      description: (m[5] ?? '').trim(),
    });
  }
  return out;
}

/** Parses `systemctl list-unit-files --type=service --no-legend` into unit -> state. */
export function parseListUnitFiles(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [unit, state] = line.trim().split(/\s+/);
    if (unit === undefined || state === undefined || !unit.endsWith('.service')) continue;
    // Templates (foo@.service) are not services until instantiated.
    if (unit.includes('@.')) continue;
    out.set(unit, state);
  }
  return out;
}

const serviceName = (unit: string): string => unit.replace(/\.service$/, '');

/** Merges loaded units with installed unit files (units never loaded are inactive/dead). */
export function mergeSystemdServices(
  units: readonly UnitRow[],
  files: ReadonlyMap<string, string>,
): InventoryInstance[] {
  const byName = new Map<string, InventoryInstance>();
  for (const u of units) {
    if (u.load === 'not-found') continue;
    const fileState = files.get(u.unit);
    byName.set(serviceName(u.unit), {
      name: serviceName(u.unit),
      description: u.description,
      state: u.active,
      subState: u.sub,
      enabled: fileState === undefined ? null : fileState.startsWith('enabled'),
    });
  }
  for (const [unit, state] of files) {
    const name = serviceName(unit);
    if (byName.has(name)) continue;
    byName.set(name, {
      name,
      description: '',
      state: 'inactive',
      subState: 'dead',
      enabled: state.startsWith('enabled'),
    });
  }
  return [...byName.values()].sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
}

async function systemdServices(): Promise<InventoryInstance[]> {
  const common = ['--type=service', '--no-legend', '--no-pager'];
  const units = await runIfPresent('systemctl', ['list-units', '--all', '--plain', ...common], {
    timeoutMs: 30_000,
  });
  const files = await runIfPresent('systemctl', ['list-unit-files', ...common], {
    timeoutMs: 30_000,
  });
  if (units === undefined || units.exitCode !== 0)
    throw new Error(`systemctl list-units failed: ${units?.stderr.trim() ?? 'not found'}`);
  return mergeSystemdServices(
    parseListUnits(units.stdout),
    parseListUnitFiles(files?.exitCode === 0 ? files.stdout : ''),
  );
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

/** Parses /proc/<pid>/stat; comm sits in parentheses and may itself contain them. */
export function parseProcStat(text: string): { comm: string; ppid: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) ? { comm: text.slice(open + 1, close), ppid } : undefined;
}

/** Every process (synchronous reads, see system.ts: two files per process). */
function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    // no /proc: no processes to match
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = parseProcStat(readTextSync(`/proc/${entry}/stat`) ?? '');
    const cmdline = (readTextSync(`/proc/${entry}/cmdline`) ?? '')
      .replace(/\0+$/, '')
      .replace(/\0/g, ' ');
    // Kernel threads have no command line.
    if (stat === undefined || cmdline === '') continue;
    out.push({ pid: Number(entry), ppid: stat.ppid, comm: stat.comm, cmdline });
  }
  return out;
}

const NOT_SERVICES = new Set([
  'README',
  'skeleton',
  'rc',
  'rcS',
  'functions',
  'halt',
  'reboot',
  'single',
  'killprocs',
]);

export function shortDescription(script: string): string {
  return /^#\s*Short-Description:\s*(.+)$/m.exec(script)?.[1]?.trim() ?? '';
}

function matchesProcess(service: string, comm: string): boolean {
  if (comm.length < 4) return comm === service;
  return comm === service || comm.startsWith(service) || service.startsWith(comm);
}

/** The start links of runlevels 2 to 5 (`S01ssh`...), read once per collection. */
async function runlevelStartLinks(): Promise<string[]> {
  const out: string[] = [];
  for (const level of ['2', '3', '4', '5'])
    out.push(...(await readdir(`/etc/rc${level}.d`).catch(() => [])));
  return out;
}

function enabledInRunlevels(name: string, startLinks: readonly string[]): boolean {
  const re = new RegExp(`^S\\d\\d${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return startLinks.some((e) => re.test(e));
}

/**
 * Without systemd as PID 1 (containers, sysvinit): the init scripts, marked running when a
 * process of the same name runs, plus PID 1 and the daemons it parented, so a container reports
 * the services it really runs.
 */
async function initScriptServices(): Promise<InventoryInstance[]> {
  const processes = listProcesses();
  const startLinks = await runlevelStartLinks();
  const out = new Map<string, InventoryInstance>();
  const claimed = new Set<number>();
  for (const name of (await readdir('/etc/init.d').catch(() => [])).sort()) {
    if (NOT_SERVICES.has(name) || name.startsWith('.')) continue;
    const script = (await readText(join('/etc/init.d', name))) ?? '';
    const running = processes.filter((p) => matchesProcess(name, p.comm));
    for (const p of running) claimed.add(p.pid);
    const pidFile =
      (await pathExists(`/run/${name}.pid`)) || (await pathExists(`/run/${name}/${name}.pid`));
    const active = running.length > 0 || pidFile;
    out.set(name, {
      name,
      description: shortDescription(script),
      state: active ? 'active' : 'inactive',
      subState: active ? 'running' : 'dead',
      enabled: enabledInRunlevels(name, startLinks),
    });
  }
  for (const p of processes) {
    if ((p.pid !== 1 && p.ppid !== 1) || claimed.has(p.pid) || out.has(p.comm)) continue;
    out.set(p.comm, {
      name: p.comm,
      description: p.cmdline.slice(0, 200),
      state: 'active',
      subState: 'running',
      enabled: null,
    });
  }
  return [...out.values()];
}

export const serviceCollector: ClassCollector = {
  className: 'service',
  async collect(): Promise<InventoryInstance[]> {
    if ((await pid1Name()) === 'systemd') return systemdServices();
    return initScriptServices();
  },
};
