import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunnableSequence } from '@steward/protocol';
import { AgentError, ExitCode } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';
import {
  type EngineEvent,
  type EngineOptions,
  resumeSequence,
  startSequence,
} from '../task-sequence/engine.js';
import { fullOsExecutors } from '../task-sequence/full-os-steps.js';
import { bootEnvExecutors } from '../os-deploy/boot-env-executors.js';
import { mediaHost } from '../os-deploy/media-host.js';
import { readMediaManifest, unlockMedia } from '../os-deploy/media-password.js';
import { runShell } from '../task-sequence/full-os-steps.js';
import { loadEngineState } from '../task-sequence/state.js';
import { statusOfEvent } from '../task-sequence/status.js';
import { renderStatusMessage } from '@steward/protocol';
import type { CliIo } from './cli-io.js';

export interface TaskSequenceArgs {
  action: string | undefined;
  stateDir: string;
  sequence: string | undefined;
  rebootCommand: string | undefined;
  root: string | undefined;
  /** Boot environment over a media folder (ADR 0077): the disk and image steps can run. */
  media?: string | undefined;
  /** Where the new system is mounted while it is built (with --media). */
  target?: string | undefined;
  /** The media password's file (first line); without it a protected media asks on stdin. */
  passwordFile?: string | undefined;
  json: boolean;
}

/** The engine's environment and step executors: full OS, or boot environment with --media. */
async function executorsOf(
  args: TaskSequenceArgs,
  io: CliIo,
): Promise<Pick<EngineOptions, 'environment' | 'executors'>> {
  if (args.media === undefined)
    return { environment: 'full-os', executors: fullOsExecutors({ root: args.root ?? '/' }) };
  // Before anything from the media runs, or is even read beyond its manifest (ADR 0097).
  await unlockMedia(await readMediaManifest(args.media), (attempt) =>
    askPassword(args.passwordFile, attempt, io),
  );
  const host = await mediaHost(args.media, args.target ?? DEFAULT_TARGET);
  return { environment: 'boot-image', executors: bootEnvExecutors(host) };
}

/** The password from its file (one try), else typed on the console (stdin), line by line. */
export async function askPassword(
  file: string | undefined,
  attempt: number,
  io: CliIo,
): Promise<string | undefined> {
  if (file !== undefined)
    return attempt === 1 ? (await readFile(file, 'utf8')).split('\n')[0] : undefined;
  if (!process.stdin.isTTY) return undefined;
  io.err(`media password${attempt > 1 ? ' (again)' : ''}: `);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return undefined;
  } finally {
    rl.close();
  }
}

/** Where the boot environment mounts the system it builds. */
export const DEFAULT_TARGET = '/mnt/target';

/** Exit code when a restart step asked for a reboot: run `resume` after it (EX_TEMPFAIL). */
export const RESTARTING_EXIT_CODE = 75;

/**
 * `steward-agent task-sequence run --sequence <file> | resume | status`: the task-sequence
 * engine by itself, over a state directory (ADR 0069). This is the seam the boot environment
 * uses (its init runs `resume` at every boot), and how a sequence is tried by hand. Each event
 * prints its status message, or a JSON line with --json.
 */
export async function taskSequenceCommand(args: TaskSequenceArgs, io: CliIo): Promise<number> {
  const dir = join(args.stateDir, 'task-sequence');
  if (args.action === 'status') {
    const state = await loadEngineState(dir);
    if (!state)
      throw new AgentError('NO_TASK_SEQUENCE', 'no task sequence in this state directory');
    io.out(
      args.json
        ? `${JSON.stringify(state.progress)}\n`
        : `${state.progress.state} at step ${String(state.progress.stepNumber)} of ${String(state.progress.stepCount)}\n`,
    );
    return ExitCode.ok;
  }
  let name = '';
  const opts: EngineOptions = {
    stateDir: dir,
    ...(await executorsOf(args, io)),
    onEvent: (event: EngineEvent) => {
      const msg = statusOfEvent(event, name);
      io.out(
        args.json
          ? `${JSON.stringify({ event: event.type, message: msg, progress: event.progress })}\n`
          : `${renderStatusMessage(msg.messageId, msg.insertionStrings)}\n`,
      );
    },
    reboot: async () => {
      const command = args.rebootCommand ?? 'systemctl reboot';
      const run = await runShell(command, {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        signal: new AbortController().signal,
      });
      if (run.exitCode !== 0)
        io.err(`reboot command failed (exit code ${String(run.exitCode)}): ${run.outputTail}\n`);
    },
  };
  let outcome;
  if (args.action === 'run') {
    if (args.sequence === undefined)
      throw new AgentError('USAGE', 'task-sequence run needs --sequence <file>');
    const what = `task sequence ${args.sequence}`;
    const seq = parseWith(
      RunnableSequence,
      parseJsonText(await readFile(args.sequence, 'utf8'), what, 'USAGE'),
      what,
      'USAGE',
    );
    name = seq.name;
    outcome = await startSequence(seq, opts);
  } else if (args.action === 'resume') {
    name = (await loadEngineState(dir))?.sequence.name ?? '';
    outcome = await resumeSequence(opts);
    if (outcome === undefined)
      throw new AgentError('NO_TASK_SEQUENCE', 'no task sequence to resume');
  } else {
    throw new AgentError('USAGE', 'task-sequence takes run, resume or status');
  }
  return outcome === 'succeeded'
    ? ExitCode.ok
    : outcome === 'restarting'
      ? RESTARTING_EXIT_CODE
      : ExitCode.failure;
}
