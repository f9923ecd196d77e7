import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RestartNeed } from '@steward/protocol';
import { AgentError } from '../../errors.js';
import { parseJsonText, parseWith } from '../../parse.js';
import { readFileIfExists, writeFileAtomic } from '../../state/atomic-file.js';
import type { RunOutcome } from '../ports.js';

/** Why a run ended without its own exit code deciding (or before it could run at all). */
export interface RunFailure {
  reasonCode: string;
  reason: string;
}

const RunFailureSchema = Type.Object({ reasonCode: Type.String(), reason: Type.String() });

/**
 * `<state>/runs/<runId>/run.json`, written before the program is spawned: enough to re-attach
 * to the process group after an agent restart, enforce the maximum run time from the recorded
 * start, and turn an exit status into an outcome without the assignments document.
 */
export const RunRecord = Type.Object({
  version: Type.Literal(1),
  runId: Type.String(),
  deploymentId: Type.String(),
  revision: Type.Integer(),
  programId: Type.String(),
  programName: Type.String(),
  packageDir: Type.String(),
  workDir: Type.String(),
  commandLine: Type.String(),
  runAs: Type.Union([Type.Literal('root'), Type.Literal('user')]),
  user: Type.Optional(Type.String()),
  maxRunMinutes: Type.Integer(),
  successExitCodes: Type.Array(Type.Integer()),
  rebootExitCodes: Type.Array(Type.Integer()),
  startedAt: Type.String(),
  /** A process group id means nothing after a reboot: compare boot ids before trusting it. */
  bootId: Type.Optional(Type.String()),
  pgid: Type.Optional(Type.Integer()),
  /** Set before the group is signalled (timeout, stop, disabled program), so a restart knows why. */
  stop: Type.Optional(RunFailureSchema),
});
export type RunRecord = Static<typeof RunRecord>;

// The outcome type is the executor port's (one definition); the schema checks a stored one.
export type { RunOutcome };

const RunOutcomeSchema = Type.Object({
  runId: Type.String(),
  deploymentId: Type.String(),
  revision: Type.Integer(),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  result: Type.Union([
    Type.Literal('succeeded'),
    Type.Literal('reboot-pending'),
    Type.Literal('failed'),
  ]),
  reasonCode: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  outputTail: Type.String(),
  restart: Type.Optional(RestartNeed),
  startedAt: Type.String(),
  finishedAt: Type.String(),
});

const RUN_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

export function runsRoot(stateDir: string): string {
  return join(stateDir, 'runs');
}

export function runPaths(stateDir: string, runId: string) {
  if (!RUN_ID.test(runId))
    throw new AgentError('BAD_RUN_ID', `run id "${runId}" is not usable as a directory name`);
  const dir = join(runsRoot(stateDir), runId);
  return {
    dir,
    record: join(dir, 'run.json'),
    output: join(dir, 'output.log'),
    exit: join(dir, 'exit'),
    pid: join(dir, 'pid'),
    outcome: join(dir, 'outcome.json'),
  };
}
export type RunPaths = ReturnType<typeof runPaths>;

export async function writeRecord(paths: RunPaths, record: RunRecord): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.record, JSON.stringify(record), { mode: 0o600 });
}

export async function readRecord(paths: RunPaths): Promise<RunRecord | undefined> {
  return readJsonFile(paths.record, RunRecord);
}

export async function writeOutcome(paths: RunPaths, outcome: RunOutcome): Promise<void> {
  await writeFileAtomic(paths.outcome, JSON.stringify(outcome), { mode: 0o600 });
}

export async function readOutcome(paths: RunPaths): Promise<RunOutcome | undefined> {
  return readJsonFile(paths.outcome, RunOutcomeSchema);
}

/** The wrapper's `exit` file: the program's exit status and when it was written (mtime). */
export async function readExit(
  paths: RunPaths,
): Promise<{ code: number | null; mtimeMs: number } | undefined> {
  const text = await readFileIfExists(paths.exit);
  if (text === undefined) return undefined;
  const st = await stat(paths.exit);
  const code = /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
  return { code, mtimeMs: st.mtimeMs };
}

/** The process group id the wrapper wrote itself (covers a crash between spawn and record). */
export async function readPidFile(paths: RunPaths): Promise<number | undefined> {
  const text = (await readFileIfExists(paths.pid))?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

export async function listRunIds(stateDir: string): Promise<string[]> {
  const names = await readdir(runsRoot(stateDir)).catch(() => []);
  return names.filter((n) => RUN_ID.test(n)).sort();
}

/** The file's content when it is JSON matching `schema`; `undefined` when absent or not valid. */
async function readJsonFile<T extends TSchema>(
  path: string,
  schema: T,
): Promise<Static<T> | undefined> {
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  try {
    return parseWith(schema, parseJsonText(text, path), path);
  } catch (err) {
    if (err instanceof AgentError) return undefined;
    throw err;
  }
}
