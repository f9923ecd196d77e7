import { spawn, type ChildProcess } from 'node:child_process';

export type LineSink = (stream: 'stdout' | 'stderr', line: string) => void;

/** Splits a byte stream into lines; `flush` emits a last unterminated line. */
export function lineSplitter(onLine: (line: string) => void): {
  push(chunk: Buffer | string): void;
  flush(): void;
} {
  let rest = '';
  return {
    push(chunk) {
      rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const lines = rest.split(/\r?\n/);
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    flush() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

export interface AgentProcess {
  readonly pid: number | undefined;
  /** Resolves with the exit code (null when killed by a signal) once the process ended. */
  readonly exited: Promise<number | null>;
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface AgentCommand {
  /** Path of steward-agent.js. */
  bin: string;
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  onLine: LineSink;
}

/** Starts `node <bin> <args>` with its output passed, line by line, to `onLine`. */
export function startAgent(cmd: AgentCommand): AgentProcess {
  const child: ChildProcess = spawn(process.execPath, [cmd.bin, ...cmd.args], {
    env: { ...cmd.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = lineSplitter((l) => cmd.onLine('stdout', l));
  const err = lineSplitter((l) => cmd.onLine('stderr', l));
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (e) => {
      running = false;
      cmd.onLine('stderr', `cannot start the agent: ${e.message}`);
      resolve(127);
    });
    child.once('close', (code) => {
      running = false;
      out.flush();
      err.flush();
      resolve(code);
    });
  });
  return {
    pid: child.pid,
    exited,
    get running() {
      return running;
    },
    async stop(graceMs = 10_000) {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The agent command lines `up` runs, relative to a state directory. */
export function agentArgs(kind: 'enroll', stateDir: string, token: string): string[];
export function agentArgs(kind: 'run', stateDir: string): string[];
export function agentArgs(kind: 'enroll' | 'run', stateDir: string, token?: string): string[] {
  return kind === 'enroll'
    ? ['enroll', '--token', token ?? '', '--state-dir', stateDir]
    : ['run', '--state-dir', stateDir];
}
