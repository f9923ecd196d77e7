import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { AgentUpgradeState, ClientRollout } from '@steward/protocol';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';

/** The attempt in flight: scheduled, under way, or handed to upgrade-agent.sh. */
export const UpgradeAttempt = Type.Object({
  id: Type.String(),
  fromVersion: Type.String(),
  toVersion: Type.String(),
  rollout: ClientRollout,
  scheduledFor: Type.String(),
  startedAt: Type.String(),
  /** Started by an administrator's "upgrade now" (no random delay, no maintenance window). */
  forced: Type.Boolean(),
  state: AgentUpgradeState,
  /** When upgrade-agent.sh took over. */
  handedOverAt: Type.Optional(Type.String()),
});
export type UpgradeAttempt = Static<typeof UpgradeAttempt>;

/** `<state-dir>/upgrade/state.json`. */
export const UpgradeStateFile = Type.Object({
  attempt: Type.Optional(UpgradeAttempt),
  /** The final state of the last attempt at each version: never retried by itself (ADR 0027). */
  finished: Type.Record(Type.String(), AgentUpgradeState),
});
export type UpgradeStateFile = Static<typeof UpgradeStateFile>;

export function upgradePaths(stateDir: string) {
  const root = join(stateDir, 'upgrade');
  return {
    root,
    state: join(root, 'state.json'),
    /** `<attempt id> <version>`: written by the new version once it fetched policy and sent a heartbeat. */
    reportedIn: join(root, 'reported-in'),
    attemptDir: (id: string) => join(root, id),
    /** Written by upgrade-agent.sh: state=, code=, reason=, finished= lines. */
    result: (id: string) => join(root, id, 'result'),
  };
}

export async function readUpgradeState(stateDir: string): Promise<UpgradeStateFile> {
  const path = upgradePaths(stateDir).state;
  const text = await readFileIfExists(path);
  if (text === undefined) return { finished: {} };
  try {
    return parseWith(UpgradeStateFile, parseJsonText(text, path), path);
  } catch {
    // A damaged file forgets the schedule: the next policy evaluation schedules again.
    return { finished: {} };
  }
}

export async function writeUpgradeState(stateDir: string, s: UpgradeStateFile): Promise<void> {
  await writeFileAtomic(upgradePaths(stateDir).state, JSON.stringify(s, null, 2) + '\n');
}

/** What upgrade-agent.sh wrote: `key=value` lines (a shell script writes no JSON safely). */
export interface HelperResult {
  state: 'succeeded' | 'rolled-back' | 'failed';
  code: string | null;
  reason: string | null;
  finishedAt: string;
}

export function parseHelperResult(text: string): HelperResult | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const state = fields.get('state');
  if (state !== 'succeeded' && state !== 'rolled-back' && state !== 'failed') return undefined;
  return {
    state,
    code: fields.get('code') || null,
    reason: fields.get('reason') || null,
    finishedAt: fields.get('finished') || new Date().toISOString(),
  };
}
