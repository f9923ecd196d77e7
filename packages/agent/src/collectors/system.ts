import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, readlink } from 'node:fs/promises';
import { findOnPath, SYSTEM_BIN_DIRS } from '../exec-path.js';

/** Reads a small system file; `undefined` when it is absent or unreadable (not an error for inventory). */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** First line of a sysfs/procfs attribute, trimmed; `undefined` when absent, unreadable or empty. */
export async function readAttr(path: string): Promise<string | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const value = text.split('\n', 1)[0]?.trim() ?? '';
  return value === '' ? undefined : value;
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

export async function readLink(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch {
    return undefined;
  }
}

/** Finds an executable on PATH (plus the sbin directories, which a non-root PATH may lack). */
export async function findExecutable(name: string): Promise<string | undefined> {
  return findOnPath(name, process.env['PATH'], SYSTEM_BIN_DIRS);
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  timeoutMs?: number;
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program without a shell and collects its output. Never rejects for a non-zero exit (the
 * caller decides); rejects when it cannot start, times out, or prints more than the limit.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: options.maxOutputBytes ?? 64 * 1024 * 1024,
        // A stable, parseable locale for the tools whose output we parse.
        env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...options.env },
        killSignal: 'SIGKILL',
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, exitCode: 0 });
          return;
        }
        if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          reject(
            new Error(
              `${file} printed more than ${options.maxOutputBytes ?? 64 * 1024 * 1024} bytes`,
            ),
          );
          return;
        }
        if (error.killed === true) {
          reject(new Error(`${file} timed out after ${options.timeoutMs ?? 30_000} ms`));
          return;
        }
        if (typeof error.signal === 'string') {
          reject(new Error(`${file} was killed by ${error.signal}`));
          return;
        }
        if (typeof error.code === 'number') {
          resolve({ stdout, stderr, exitCode: error.code });
          return;
        }
        reject(new Error(`${file} could not run: ${error.message}`));
      },
    );
  });
}

/** Runs a program if it exists; `undefined` when it does not. */
export async function runIfPresent(
  name: string,
  args: readonly string[],
  options?: RunOptions,
): Promise<CommandResult | undefined> {
  const file = await findExecutable(name);
  if (file === undefined) return undefined;
  return runCommand(file, args, options);
}

/** The name of PID 1 (`systemd`, `init`, a container's entry point...). */
export async function pid1Name(): Promise<string | undefined> {
  return readAttr('/proc/1/comm');
}

/**
 * Runs `/bin/sh -c <command>` in its own process group, so a timeout kills the whole pipeline:
 * with a plain execFile a grandchild holding stdout open would outlive the timeout.
 */
export function runShell(command: string, options: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failure: Error | undefined;
    const killGroup = (reason: Error): void => {
      failure ??= reason;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const timer = setTimeout(
      () => killGroup(new Error(`command timed out after ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) killGroup(new Error(`command printed more than ${maxBytes} bytes`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`/bin/sh could not run: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure !== undefined) reject(failure);
      else if (signal !== null) reject(new Error(`command was killed by ${signal}`));
      else
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: code ?? 0,
        });
    });
  });
}
