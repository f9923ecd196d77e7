import { spawn } from 'node:child_process';
import { signalGroup } from '../software/executor/process-group.js';
import { OUTPUT_TAIL_BYTES, utf8Tail } from '../software/executor/output-tail.js';

export interface RunResult {
  exitCode: number;
  outputTail: string;
  /** Set when the program could not be started at all. */
  error?: string;
}

export interface RunOptions {
  cwd?: string | undefined;
  env?: Record<string, string>;
  signal: AbortSignal;
  /** Written to the program's standard input (an sfdisk script), then closed. */
  input?: string;
}

/**
 * Runs a program (no shell: arguments are passed as they are) in its own process group, keeping
 * the last 4 KiB of its output for the step's status message. A step's timeout aborts `signal`
 * and the whole group is killed, children included.
 */
export function runProgram(
  file: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<RunResult> {
  return new Promise((resolve) => {
    // detached: the program leads a new process group, so a timeout kills everything it
    // started (a script's children too), not only the program.
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let tail = Buffer.alloc(0);
    let cut = false;
    const keep = (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > OUTPUT_TAIL_BYTES) {
        tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
        cut = true;
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    const kill = () => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    };
    if (opts.signal.aborted) kill();
    opts.signal.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      opts.signal.removeEventListener('abort', kill);
      resolve({ exitCode: 127, outputTail: '', error: err.message });
    });
    child.on('close', (code, sig) => {
      opts.signal.removeEventListener('abort', kill);
      // Whatever the program left behind in its group goes with it (a timed-out step's tree).
      if (opts.signal.aborted) kill();
      resolve({
        exitCode: code ?? 128 + (sig === null ? 0 : 9),
        outputTail: utf8Tail(tail, cut),
      });
    });
  });
}
