import type {
  AgentDeployment,
  AgentProgram,
  PlatformRequirements,
  RestartNeed,
} from '@steward/protocol';

/**
 * What the deployment evaluator needs from the content manager and the executor
 * (`content/content-manager.ts`, `executor/executor.ts`). Written as ports so the decision logic
 * is tested with stubs; the real classes satisfy them structurally where agent.ts wires them.
 */

export interface ContentProgress {
  bytesDone: number;
  bytesTotal: number;
  dpName?: string;
}

export interface PreparedContent {
  dir: string;
  release(): Promise<void>;
}

/**
 * What content preparation reads of the deployment a run belongs to: its id (for the content
 * status messages) and its content options. A task sequence's install-software step passes its
 * own deployment's id with the default options.
 */
export type ContentDeployment = Pick<
  AgentDeployment,
  'id' | 'contentMode' | 'runOverSlowBoundary' | 'allowFallback'
>;

export interface ContentPort {
  prepare(req: {
    program: AgentProgram;
    deployment: ContentDeployment;
    signal?: AbortSignal;
    onProgress?: (p: ContentProgress) => void;
  }): Promise<PreparedContent>;
}

export interface RunRequest {
  runId: string;
  deploymentId: string;
  revision: number;
  program: AgentProgram;
  packageDir: string;
}

export interface RunOutcome {
  runId: string;
  deploymentId: string;
  revision: number;
  exitCode: number | null;
  result: 'succeeded' | 'reboot-pending' | 'failed';
  reasonCode?: string;
  reason?: string;
  outputTail: string;
  /** Update installs: the reboot and service restarts left (or, rehearsed, predicted). */
  restart?: RestartNeed;
  startedAt: string;
  finishedAt: string;
}

export interface ExecutorPort {
  checkRequirements(r: PlatformRequirements): Promise<{ ok: true } | { ok: false; reason: string }>;
  start(req: RunRequest): Promise<void>;
  wait(runId: string): Promise<RunOutcome>;
  stop(runId: string, reason: string): Promise<void>;
  running(): { runId: string; deploymentId: string; programId: string }[];
  recover(): Promise<string[]>;
  acknowledge(runId: string): Promise<void>;
}

/** Says something to the person at the machine (desktop notification); never throws. */
export interface Notifier {
  notify(title: string, body: string): Promise<void>;
}

/**
 * The content manager's ContentUnavailableError, recognised by shape so this module does not
 * depend on the content package: a coded error with a retry delay.
 */
export function contentUnavailable(
  err: unknown,
): { code: string; message: string; retryAfterMs: number } | undefined {
  if (!(err instanceof Error) || !('code' in err) || !('retryAfterMs' in err)) return undefined;
  const { code, retryAfterMs } = err;
  if (typeof code !== 'string' || typeof retryAfterMs !== 'number') return undefined;
  return { code, message: err.message, retryAfterMs };
}
