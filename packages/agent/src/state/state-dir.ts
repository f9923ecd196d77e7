import { join } from 'node:path';

/** Where the agent keeps its identity, policy, inventory state and outbox. */
export const DEFAULT_STATE_DIR = '/var/lib/steward-agent';

/** `--state-dir` wins, then `STEWARD_AGENT_STATE_DIR`, then the default. */
export function resolveStateDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env['STEWARD_AGENT_STATE_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return DEFAULT_STATE_DIR;
}

/** The files inside a state directory. */
export function statePaths(stateDir: string) {
  return {
    root: stateDir,
    device: join(stateDir, 'device.json'),
    policy: join(stateDir, 'policy.json'),
    agentState: join(stateDir, 'agent-state.json'),
    inventoryState: join(stateDir, 'inventory-state.json'),
    outbox: join(stateDir, 'outbox'),
    /** Report items the site refused for good (or that poisoned every batch), kept for a look. */
    deadLetter: join(stateDir, 'dead-letter.json'),
    lock: join(stateDir, 'agent.lock'),
  };
}
export type StatePaths = ReturnType<typeof statePaths>;
