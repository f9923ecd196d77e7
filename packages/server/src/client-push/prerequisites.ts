import { ErrorCode, type PushServiceMode } from '@steward/protocol';

/**
 * The prerequisite checks of a push attempt, run as one shell script over the session (one round
 * trip, whatever the latency). It prints `key=value` lines; `evaluatePrerequisites` decides.
 * STEWARD_PREFIX / STEWARD_STATE_DIR, when the target's environment sets them, are where
 * install-agent.sh installs: the disk check looks there.
 */
export const PROBE_SCRIPT = [
  '(. /etc/os-release 2>/dev/null; echo "os_id=${ID:-}"; echo "os_version=${VERSION_ID:-}")',
  'echo "arch=$(uname -m)"',
  'p="${STEWARD_PREFIX:-/}"; echo "prefix=$p"',
  'while [ ! -d "$p" ]; do p=$(dirname "$p"); done',
  'echo "free_kb=$(df -Pk "$p" 2>/dev/null | awk \'NR==2{print $4}\')"',
  'if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi',
  'echo "uid=$(id -u)"',
  'if [ "$(id -u)" != 0 ]; then if sudo -n true 2>/dev/null; then echo sudo=yes; else echo sudo=no; fi; fi',
  'echo "node=$(command -v node 2>/dev/null)"',
  // `node --version` exits before starting V8: cheap even on a loaded host.
  'echo "node_version=$(node --version 2>/dev/null)"',
].join('\n');

export interface HostFacts {
  osId: string;
  osVersion: string;
  arch: string;
  prefix: string;
  freeKb: number | undefined;
  systemd: boolean;
  root: boolean;
  sudo: boolean;
  node: string;
  /** Major version of that `node` (0 when there is none): the tarball needs 20 or later. */
  nodeMajor: number;
}

export function parseFacts(stdout: string): HostFacts {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const free = Number(kv.get('free_kb') ?? 'NaN');
  return {
    osId: kv.get('os_id') ?? '',
    osVersion: kv.get('os_version') ?? '',
    arch: kv.get('arch') ?? '',
    prefix: kv.get('prefix') ?? '/',
    freeKb: Number.isFinite(free) && kv.get('free_kb') !== '' ? free : undefined,
    systemd: kv.get('systemd') === 'yes',
    root: kv.get('uid') === '0',
    sudo: kv.get('sudo') === 'yes',
    node: kv.get('node') ?? '',
    nodeMajor: Number(/^v(\d+)\./.exec(kv.get('node_version') ?? '')?.[1] ?? 0),
  };
}

/** Supported operating systems: os-release ID and the VERSION_IDs the agent is built for. */
export const SUPPORTED_OS: Readonly<Record<string, readonly string[]>> = {
  debian: ['11', '12', '13'],
  ubuntu: ['20.04', '22.04', '24.04'],
};
export const SUPPORTED_ARCH: readonly string[] = ['x86_64', 'aarch64'];

export interface PrerequisiteFailure {
  code: ErrorCode;
  message: string;
  permanent: boolean;
}

/** The first unmet prerequisite, or undefined when the target may be installed. */
export function evaluatePrerequisites(
  facts: HostFacts,
  opts: { minFreeDiskMb: number; serviceMode: PushServiceMode },
): PrerequisiteFailure | undefined {
  const versions = SUPPORTED_OS[facts.osId];
  if (!versions?.includes(facts.osVersion))
    return {
      code: ErrorCode.PUSH_UNSUPPORTED_OS,
      message: `unsupported operating system "${facts.osId || 'unknown'}" "${facts.osVersion}" (supported: debian 11-13, ubuntu 20.04-24.04)`,
      permanent: true,
    };
  if (!SUPPORTED_ARCH.includes(facts.arch))
    return {
      code: ErrorCode.PUSH_UNSUPPORTED_ARCH,
      message: `unsupported architecture "${facts.arch}" (supported: ${SUPPORTED_ARCH.join(', ')})`,
      permanent: true,
    };
  const needKb = opts.minFreeDiskMb * 1024;
  if (facts.freeKb === undefined || facts.freeKb < needKb)
    return {
      code: ErrorCode.PUSH_DISK_LOW,
      message: `${facts.freeKb === undefined ? 'unknown' : `${Math.floor(facts.freeKb / 1024)} MB`} free at ${facts.prefix}, ${opts.minFreeDiskMb} MB needed`,
      permanent: false,
    };
  if (opts.serviceMode === 'systemd' && !facts.systemd)
    return {
      code: ErrorCode.PUSH_NO_SYSTEMD,
      message:
        'systemd is not running on the target and the push account requires it (service mode "systemd")',
      permanent: false,
    };
  if (!facts.root && !facts.sudo)
    return {
      code: ErrorCode.PUSH_NO_SUDO,
      message: 'the account is not root and "sudo -n true" fails (passwordless sudo is needed)',
      permanent: false,
    };
  return undefined;
}

/** One `STEWARD-INSTALL step=.. status=.. detail=..` line of install-agent.sh. */
export interface InstallLine {
  step: string;
  status: string;
  detail: string;
}

export function parseInstallLines(stdout: string): InstallLine[] {
  const out: InstallLine[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^STEWARD-INSTALL step=(\S+) status=(\S+)(?: detail=(.*))?$/.exec(line.trim());
    if (m) out.push({ step: m[1] ?? '', status: m[2] ?? '', detail: m[3] ?? '' });
  }
  return out;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; port 22 unless given. */
export function parseTargetHost(value: string): { host: string; port: number } | undefined {
  const v = value.trim();
  const bracket = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(v);
  const plain = /^([A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::(\d{1,5}))?$/.exec(v);
  const m = bracket ?? plain;
  if (!m) return undefined;
  const port = m[2] === undefined ? 22 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? '').toLowerCase(), port };
}

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
