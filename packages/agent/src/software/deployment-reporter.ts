import {
  StatusMessages,
  type AgentDeployment,
  type DeploymentStateReport,
  type InsertionName,
  type InsertionStrings,
  type StatusMessageBody,
  type StatusMessageName,
} from '@steward/protocol';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { statusMessage } from '../outbox/status-message.js';
import type { ContentProgress } from './ports.js';

/** Where reports go: the outbox (durable, delivered in order). */
export interface ReportSink {
  enqueueStatus(body: StatusMessageBody): Promise<number>;
  enqueueDeploymentState(body: DeploymentStateReport): Promise<number>;
}

/** Names a status message needs; the program may be gone from the assignments. */
export interface RunNames {
  deploymentId: string;
  deploymentName: string;
  programId: string;
  programName: string;
  packageId: string;
  packageName: string;
}

export type StateFields = Omit<DeploymentStateReport, 'at'>;

const OUTPUT_TAIL_CHARS = 4096;
const PROGRESS_INTERVAL_MS = 5_000;
const PROGRESS_STEP = 0.1;

/** Keeps the end of a program's output within the report's limit. */
export function outputTail(text: string): string {
  return text.length <= OUTPUT_TAIL_CHARS ? text : text.slice(-OUTPUT_TAIL_CHARS);
}

/** The status-message identity of a deployment's program, from the assignments when present. */
export function runNames(
  dep: Pick<AgentDeployment, 'id' | 'name'> | undefined,
  deploymentId: string,
  program: { id: string; name: string; packageId: string; packageName: string } | undefined,
  programId: string,
): RunNames {
  return {
    deploymentId,
    deploymentName: dep?.name ?? deploymentId,
    programId: program?.id ?? programId,
    programName: program?.name ?? programId,
    packageId: program?.packageId ?? '',
    packageName: program?.packageName ?? '',
  };
}

/** The insertions a program message takes from `RunNames`. */
type RunInsertion = 'package' | 'program' | 'deployment';
/** Messages about a program of a deployment: they name both (PROGRAM_STARTED, PROGRAM_STOPPED...). */
export type ProgramMessageName = {
  [K in StatusMessageName]: 'program' extends InsertionName<K>
    ? 'deployment' extends InsertionName<K>
      ? K
      : never
    : never;
}[StatusMessageName];
type Rest<T extends readonly string[]> = T extends readonly [
  infer H,
  ...infer R extends readonly string[],
]
  ? H extends RunInsertion
    ? Rest<R>
    : [string, ...Rest<R>]
  : [];
/** The insertion strings of a program message that are not run names, in declared order. */
export type ExtraInsertions<K extends ProgramMessageName> = Rest<
  (typeof StatusMessages)[K]['insertions']
>;

/**
 * Deployment states (`deployment:state` outbox items) and the status messages that go with them
 * (the seed's PROGRAM_* and the agent's own), with the attributes the site's
 * drill-down filters on. Download progress is throttled to one report per 5 s or per 10 %.
 */
export class DeploymentReporter {
  private readonly lastProgress = new Map<string, { atMs: number; fraction: number }>();

  constructor(
    private readonly sink: ReportSink,
    private readonly clock: Clock,
    private readonly log: Logger,
    /**
     * Asks the agent to deliver the outbox. States and messages are queued mid-tick or mid-run
     * (running, PROGRAM_STARTED, download progress): without it they waited for the next inventory.
     */
    private readonly requestFlush: () => void = () => undefined,
  ) {}

  async state(fields: StateFields): Promise<void> {
    try {
      await this.durableState(fields);
    } catch (err) {
      this.log.error(`deployment ${fields.deploymentId} state not recorded: ${errorMessage(err)}`);
    }
  }

  /**
   * Like `state`, but a failure to queue it rejects: a run's outcome must be in the outbox before
   * the run is forgotten, or it would never be reported.
   */
  async durableState(fields: StateFields): Promise<void> {
    const body: DeploymentStateReport = { ...fields, at: this.clock.now().toISOString() };
    // Within the protocol limits: one item the site refuses would hold up the whole outbox.
    if (body.outputTail !== undefined) body.outputTail = outputTail(body.outputTail);
    if (body.reason !== undefined) body.reason = body.reason.slice(0, 2000);
    if (body.reasonCode !== undefined) body.reasonCode = body.reasonCode.slice(0, 64);
    await this.sink.enqueueDeploymentState(body);
    this.requestFlush();
  }

  /**
   * A message about a program of a deployment: its package, program and deployment insertions
   * come from `names` in the order the catalog declares them (seed messages put the package
   * first, the agent's 4011x the deployment), the others from `extra`, in order.
   */
  async message<K extends ProgramMessageName>(
    message: K,
    names: RunNames,
    ...extra: ExtraInsertions<K>
  ): Promise<void> {
    const rest: readonly string[] = extra;
    let next = 0;
    const declared: readonly string[] = StatusMessages[message].insertions;
    const strings = declared.map((name) => {
      switch (name) {
        case 'package':
          return names.packageName;
        case 'program':
          return names.programName;
        case 'deployment':
          return names.deploymentName;
        default:
          return rest[next++] ?? '';
      }
    });
    // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- built here from the catalog's declared names (length and order as the tuple type says); no outside data
    await this.raw(message, strings as unknown as InsertionStrings<K>, names);
  }

  /** A message with its own insertion strings (Software Center, windows) and the ids attached. */
  async raw<K extends StatusMessageName>(
    message: K,
    insertion: InsertionStrings<K>,
    names: Partial<RunNames>,
  ): Promise<void> {
    const attributes: Record<string, string> = {};
    if (names.deploymentId !== undefined) attributes['deploymentId'] = names.deploymentId;
    if (names.packageId !== undefined && names.packageId !== '')
      attributes['packageId'] = names.packageId;
    if (names.programId !== undefined) attributes['programId'] = names.programId;
    try {
      await this.sink.enqueueStatus(
        statusMessage(message, insertion, attributes, this.clock.now()),
      );
      this.requestFlush();
    } catch (err) {
      this.log.error(`status ${message} not recorded: ${errorMessage(err)}`);
    }
  }

  /** A message built elsewhere (its insertions already checked), with the run's ids attached. */
  async rawBody(body: StatusMessageBody, names: Partial<RunNames>): Promise<void> {
    const attributes: Record<string, string> = { ...body.attributes };
    if (names.deploymentId !== undefined) attributes['deploymentId'] = names.deploymentId;
    if (names.programId !== undefined) attributes['programId'] = names.programId;
    try {
      await this.sink.enqueueStatus({ ...body, attributes });
      this.requestFlush();
    } catch (err) {
      this.log.error(`status ${body.messageId} not recorded: ${errorMessage(err)}`);
    }
  }

  /** True when a progress report is due for this deployment (and remembers it). */
  progressDue(deploymentId: string, p: ContentProgress): boolean {
    const nowMs = this.clock.now().getTime();
    const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 1;
    const last = this.lastProgress.get(deploymentId);
    const due =
      last === undefined ||
      nowMs - last.atMs >= PROGRESS_INTERVAL_MS ||
      // The epsilon keeps 0.21 - 0.11 (0.0999...) a step of 10 %.
      fraction - last.fraction >= PROGRESS_STEP - 1e-9 ||
      (fraction >= 1 && last.fraction < 1);
    if (due) this.lastProgress.set(deploymentId, { atMs: nowMs, fraction });
    return due;
  }

  forgetProgress(deploymentId: string): void {
    this.lastProgress.delete(deploymentId);
  }
}
