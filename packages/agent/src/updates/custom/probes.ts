import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  compareDebianVersions,
  packageKey,
  type DpkgPackage,
  type RuleProbes,
  type RuleValue,
} from '@steward/protocol';
import { RUN_PATH } from '../../software/executor/run-wrapper.js';
import { signalGroup } from '../../software/executor/process-group.js';

/** A file that is not there (or a path through a non-directory) is absent, not unreadable. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR']);
const codeOf = (err: unknown) =>
  typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';

export interface ProbeOptions {
  /** What dpkg has installed (the scan's dpkg-query answer), by `name:arch`. */
  installed: ReadonlyMap<string, DpkgPackage>;
  /** Prepended to every rule's path (tests point rules into a directory of their own). */
  root?: string;
  /** Environment of rule commands; default the one programs run with (PATH, LANG). */
  env?: Record<string, string>;
}

/**
 * The version of `name` rules compare: the one of `arch`, or with no architecture given the
 * lowest installed of any (a multi-arch package is only as new as its oldest copy). A copy
 * caught half-installed makes it unknown.
 */
function packageVersion(
  installed: ReadonlyMap<string, DpkgPackage>,
  name: string,
  arch: string | undefined,
): string | undefined | 'unknown' {
  const copies =
    arch !== undefined
      ? [installed.get(packageKey(name, arch))].filter((p) => p !== undefined)
      : [...installed.values()].filter((p) => p.name === name);
  if (copies.length === 0) return undefined;
  if (copies.some((p) => p.state !== 'installed')) return 'unknown';
  return copies.map((p) => p.version).reduce((a, b) => (compareDebianVersions(a, b) <= 0 ? a : b));
}

async function fileExists(path: string): Promise<RuleValue> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    return ABSENT.has(codeOf(err)) ? false : 'unknown';
  }
}

function fileSha256(path: string): Promise<string | undefined | 'unknown'> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    const s = createReadStream(path);
    s.on('data', (d) => hash.update(d));
    s.on('error', (err) => resolve(ABSENT.has(codeOf(err)) ? undefined : 'unknown'));
    s.on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * `/bin/sh -c command` as the agent runs programs (as the agent's user, root in service; the
 * programs' PATH and locale; no terminal, no input), in a process group of its own so a timeout
 * kills everything it started, not only the shell.
 */
export function runRuleCommand(
  command: string,
  timeoutSeconds: number,
  env: Record<string, string> = { PATH: RUN_PATH, LANG: 'C.UTF-8' },
): Promise<number | { unknown: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      stdio: 'ignore',
      env,
      cwd: '/',
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    }, timeoutSeconds * 1000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ unknown: `could not start: ${err.message}` });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ unknown: `timed out after ${String(timeoutSeconds)} s` });
      else if (code !== null) resolve(code);
      else resolve({ unknown: `killed by ${signal ?? 'a signal'}` });
    });
  });
}

/** The probes custom-update rules run against this machine (ADR 0059). */
export function machineProbes(o: ProbeOptions): RuleProbes {
  const at = (path: string) => (o.root === undefined ? path : `${o.root}${path}`);
  return {
    packageVersion: (name, arch) => Promise.resolve(packageVersion(o.installed, name, arch)),
    fileExists: (path) => fileExists(at(path)),
    fileSha256: (path) => fileSha256(at(path)),
    command: (command, timeoutSeconds) => runRuleCommand(command, timeoutSeconds, o.env),
  };
}
