import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { Mutex } from '../mutex.js';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';

const RunResult = Type.Union([
  Type.Literal('succeeded'),
  Type.Literal('reboot-pending'),
  Type.Literal('failed'),
]);
export type RunResult = Static<typeof RunResult>;

/** What this device remembers about one deployment (instants are epoch ms). */
export const DeploymentRecord = Type.Object({
  /** The revision 'received' was reported for, and when it was first seen (the 'asap' instant). */
  revisionSeen: Type.Optional(Type.Integer()),
  revisionSeenAtMs: Type.Optional(Type.Number()),
  /** Revision of the last run (or failed attempt). Unset: never run on this device. */
  lastRunRevision: Type.Optional(Type.Integer()),
  lastResult: Type.Optional(RunResult),
  lastRunAt: Type.Optional(Type.String()),
  lastExitCode: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  /** Every trigger occurrence up to this instant has been acted on (run or skipped). */
  consumedMs: Type.Optional(Type.Number()),
  /** A Software Center install request waiting to run. */
  requestedAtMs: Type.Optional(Type.Number()),
  requestedBy: Type.Optional(Type.String()),
  /** Postponed from the Software Center: the deadline it counts from, and until when. */
  postponeDeadlineMs: Type.Optional(Type.Number()),
  postponedUntilMs: Type.Optional(Type.Number()),
  /** Content could not be had: not before this instant. */
  retryAtMs: Type.Optional(Type.Number()),
  /** Package version whose content was pre-downloaded for this deployment. */
  preDownloaded: Type.Optional(Type.String()),
  /** The last non-terminal report sent (state and what it said), so it is not sent twice. */
  reportedKey: Type.Optional(Type.String()),
  /** Last state name reported, for the Software Center. */
  lastState: Type.Optional(Type.String()),
  /** Desktop notifications already shown (per deployment + revision). */
  notified: Type.Optional(Type.Array(Type.String())),
});
export type DeploymentRecord = Static<typeof DeploymentRecord>;

export const ProgramRecord = Type.Object({ lastResult: RunResult, lastRunAt: Type.String() });
export type ProgramRecord = Static<typeof ProgramRecord>;

/** A run handed to the executor whose outcome has not been reported yet. */
export const RunRecord = Type.Object({
  runId: Type.String(),
  deploymentId: Type.String(),
  revision: Type.Integer(),
  programId: Type.String(),
  /** 'dependency': a "run another program first" run made for the deployment. */
  role: Type.Union([Type.Literal('main'), Type.Literal('dependency')]),
  /** Stopped because the program was disabled: reported as failed PROGRAM_DISABLED. */
  stopReason: Type.Optional(Type.String()),
});
export type RunRecord = Static<typeof RunRecord>;

export const DeploymentsFile = Type.Object({
  deployments: Type.Record(Type.String(), DeploymentRecord),
  programs: Type.Record(Type.String(), ProgramRecord),
  runs: Type.Record(Type.String(), RunRecord),
  /** Runs whose outcome is in the outbox (the newest few): a recovered one is not sent twice. */
  reportedRuns: Type.Array(Type.String()),
});
export type DeploymentsFile = Static<typeof DeploymentsFile>;

const REPORTED_RUNS_KEPT = 200;

export function emptyDeploymentsFile(): DeploymentsFile {
  return { deployments: {}, programs: {}, runs: {}, reportedRuns: [] };
}

export function deploymentsPath(stateDir: string): string {
  return join(stateDir, 'deployments.json');
}

/**
 * `<state>/deployments.json`: per-deployment history that decides reruns, postponements and
 * exactly-once reporting. Every change is a read-modify-write under one lock, written atomically.
 */
export class DeploymentStateStore {
  private readonly lock = new Mutex();

  private constructor(
    private readonly path: string,
    private data: DeploymentsFile,
  ) {}

  static async open(stateDir: string, log: Logger): Promise<DeploymentStateStore> {
    const path = deploymentsPath(stateDir);
    const text = await readFileIfExists(path);
    let data = emptyDeploymentsFile();
    if (text !== undefined) {
      try {
        data = parseWith(DeploymentsFile, parseJsonText(text, path), path, 'STATE_CORRUPT');
      } catch (err) {
        // Losing the history means at most a rerun; refusing to start would stop every deployment.
        log.error(`${path} unreadable, starting without deployment history: ${errorMessage(err)}`);
      }
    }
    return new DeploymentStateStore(path, data);
  }

  /** A snapshot (do not mutate). */
  get current(): Readonly<DeploymentsFile> {
    return this.data;
  }

  record(deploymentId: string): DeploymentRecord {
    return this.data.deployments[deploymentId] ?? {};
  }

  /** Applies `change` to a copy and persists it; the in-memory state moves only once written. */
  update(change: (draft: DeploymentsFile) => void): Promise<void> {
    return this.lock.run(async () => {
      const draft = structuredClone(this.data);
      change(draft);
      if (draft.reportedRuns.length > REPORTED_RUNS_KEPT)
        draft.reportedRuns = draft.reportedRuns.slice(-REPORTED_RUNS_KEPT);
      await writeFileAtomic(this.path, JSON.stringify(draft) + '\n', { mode: 0o600 });
      this.data = draft;
    });
  }

  /** Changes one deployment's record. */
  updateDeployment(
    deploymentId: string,
    change: (record: DeploymentRecord) => DeploymentRecord,
  ): Promise<void> {
    return this.update((d) => {
      d.deployments[deploymentId] = change(d.deployments[deploymentId] ?? {});
    });
  }
}
