import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { RunnableSequence, SequenceProgress } from '@steward/protocol';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';

/**
 * The engine's whole state, written (atomically) after every step: a restart step, a power
 * cut or a killed agent leaves the last finished step's state on disk, and the next start of
 * the engine resumes from it. Nothing else is needed to resume, so the boot environment (no
 * agent daemon, no device identity yet) runs the same engine over the same file.
 */
export const EngineState = Type.Object({
  format: Type.Literal(1),
  sequence: RunnableSequence,
  /** The variables as they are now (defaults, overrides, and what set-variable steps set). */
  variables: Type.Record(Type.String(), Type.String()),
  /** Index into the run order of steps (`placedSteps`) of the next step to run. */
  position: Type.Integer({ minimum: 0 }),
  /** Group conditions are evaluated once, on entering the group, and kept for the whole group. */
  groupDecisions: Type.Record(Type.String(), Type.Boolean()),
  lastExitCode: Type.Integer(),
  progress: SequenceProgress,
});
export type EngineState = Static<typeof EngineState>;

const FILE = 'task-sequence.json';

/** Where a state directory keeps the engine's state. */
export function stateFileOf(dir: string): string {
  return join(dir, FILE);
}

export async function loadEngineState(dir: string): Promise<EngineState | undefined> {
  const text = await readFileIfExists(stateFileOf(dir));
  if (text === undefined) return undefined;
  const what = `task-sequence state ${stateFileOf(dir)}`;
  return parseWith(EngineState, parseJsonText(text, what, 'STATE_CORRUPT'), what, 'STATE_CORRUPT');
}

export async function saveEngineState(dir: string, state: EngineState): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(stateFileOf(dir), `${JSON.stringify(state)}\n`);
}
