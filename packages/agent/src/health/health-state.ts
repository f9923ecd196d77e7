import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';

/** `<state-dir>/client-check.json`: what the client check remembers between runs. */
export const HealthState = Type.Object({
  /** The outbox item that was the oldest waiting, and since when (the outbox age check). */
  oldestOutboxSeq: Type.Optional(Type.Integer()),
  oldestOutboxSince: Type.Optional(Type.String()),
  lastCheckAt: Type.Optional(Type.String()),
});
export type HealthState = Static<typeof HealthState>;

const file = (stateDir: string) => join(stateDir, 'client-check.json');

export async function readHealthState(stateDir: string): Promise<HealthState> {
  const path = file(stateDir);
  const text = await readFileIfExists(path);
  if (text === undefined) return {};
  try {
    return parseWith(HealthState, parseJsonText(text, path), path);
  } catch {
    // Only bookkeeping: a damaged file is rewritten by this run.
    return {};
  }
}

export async function writeHealthState(stateDir: string, state: HealthState): Promise<void> {
  // JSON.stringify leaves out the fields set to undefined (a cleared outbox age).
  await writeFileAtomic(file(stateDir), JSON.stringify(state, null, 2) + '\n', { syncDir: false });
}
