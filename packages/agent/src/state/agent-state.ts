import { Type, type Static } from '@sinclair/typebox';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { statePaths } from './state-dir.js';

/** `<state-dir>/agent-state.json`: what `status` shows about the agent's contact with the site. */
export const AgentStateFile = Type.Object({
  lastContactAt: Type.Optional(Type.String()),
  lastPolicyFetchAt: Type.Optional(Type.String()),
  /** The error of the current trouble; cleared by the next successful contact. */
  lastErrorAt: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  /** The last error the agent has since recovered from, and when it recovered. */
  pastError: Type.Optional(Type.String()),
  pastErrorAt: Type.Optional(Type.String()),
  recoveredAt: Type.Optional(Type.String()),
});
export type AgentStateFile = Static<typeof AgentStateFile>;

export async function readAgentState(stateDir: string): Promise<AgentStateFile> {
  const path = statePaths(stateDir).agentState;
  const text = await readFileIfExists(path);
  if (text === undefined) return {};
  try {
    return parseWith(AgentStateFile, parseJsonText(text, path), path);
  } catch {
    // Only informational: a damaged file is replaced at the next contact.
    return {};
  }
}

export async function writeAgentState(stateDir: string, state: AgentStateFile): Promise<void> {
  await writeFileAtomic(statePaths(stateDir).agentState, JSON.stringify(state, null, 2) + '\n', {
    syncDir: false,
  });
}
