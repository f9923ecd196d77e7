import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';
import { OSD_VARS } from '../os-deploy/host.js';
import { FIRST_BOOT_DIR } from '../os-deploy/agent-step.js';
import { mountOnce, mountPoints, unmountTarget } from '../os-deploy/target.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';
import { ResumeFile } from '../task-sequence/boot-image-restart.js';
import { EngineState, loadEngineState, stateFileOf } from '../task-sequence/state.js';

/**
 * A run crossing between the boot environment and the installed system (issue 11, ADR 0105).
 * In: a run the full OS restarted into the boot image left its resume file and engine state in
 * the boot environment's root (`/steward-resume`, a second initramfs). Out: a boot-environment
 * run that restarts into the installed system (or ends there) leaves its state in that system's
 * agent state folder, which the agent resumes once it has enrolled.
 */

/** The installed system's agent state folder (install-agent.sh's default). */
export const TARGET_AGENT_STATE = '/var/lib/steward-agent';

export interface ResumedRun {
  resume: ResumeFile;
  /** The engine's state as the full OS saved it (the step after the restart is next). */
  state: EngineState;
}

/** The run to resume, when this boot carries one. */
export async function resumedRun(dir: string): Promise<ResumedRun | undefined> {
  const path = join(dir, 'resume.json');
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  const resume = parseWith(ResumeFile, parseJsonText(text, path, 'USAGE'), path, 'USAGE');
  const statePath = join(dir, 'state.json');
  const state = parseWith(
    EngineState,
    parseJsonText(await readFile(statePath, 'utf8'), statePath, 'USAGE'),
    statePath,
    'USAGE',
  );
  return { resume, state };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Hands the run to the installed system's agent: its state and the deployment the agent's
 * deployment store resumes at its start. Only when this run installed the agent there, or when
 * the run is that system's own (resumed from its full OS, ADR 0105): a sequence that only reads
 * the disk (a capture of a reference machine with an agent) is not its agent's to finish. The
 * root is mounted for the hand-over and unmounted after, when it was not mounted before.
 * Returns the state handed over.
 */
export async function handOver(a: {
  engineDir: string;
  target: string;
  deploymentId: string;
  /** The run came from the installed system's own agent (a resume token). */
  resumed: boolean;
  log: (line: string) => void;
}): Promise<EngineState | undefined> {
  const state = await loadEngineState(a.engineDir);
  if (!state) return undefined;
  const root = state.variables[OSD_VARS.rootPartition];
  const mountedHere = root !== undefined && !(await mountPoints()).has(a.target);
  try {
    return await handOverMounted(a, state, root);
  } finally {
    if (mountedHere) await unmountTarget(a.target);
  }
}

async function handOverMounted(
  a: {
    engineDir: string;
    target: string;
    deploymentId: string;
    resumed: boolean;
    log: (line: string) => void;
  },
  state: EngineState,
  root: string | undefined,
): Promise<EngineState | undefined> {
  if (root !== undefined) {
    try {
      await mountOnce(root, a.target, { signal: new AbortController().signal });
    } catch (err) {
      a.log(`steward-boot: the installed system is not mounted: ${errorMessage(err)}\n`);
    }
  }
  const agentDir = join(a.target, TARGET_AGENT_STATE);
  const installedNow = await exists(join(a.target, FIRST_BOOT_DIR));
  if (!installedNow && !(a.resumed && (await exists(agentDir)))) return undefined;
  const dir = join(agentDir, 'task-sequence');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await copyFile(stateFileOf(a.engineDir), stateFileOf(dir));
  // The agent's deployment store (deployments.ts), holding this run as the active one.
  const store = {
    format: 1,
    active: { deploymentId: a.deploymentId, name: state.sequence.name },
    records: {},
  };
  await writeFileAtomic(join(dir, 'deployments.json'), `${JSON.stringify(store)}\n`, {
    mode: 0o600,
  });
  return state;
}
