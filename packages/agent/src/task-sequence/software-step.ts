import { randomUUID } from 'node:crypto';
import { settingsDefaults, DeploymentOptions, type AgentProgram } from '@steward/protocol';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ContentDeployment, ContentPort, ExecutorPort } from '../software/ports.js';
import { failed, type StepResult, SUCCEEDED } from './executor.js';

/** How deep a program's "run another program first" chain may go before it is called a loop. */
const MAX_CHAIN = 16;

export interface ProgramInstallerDeps {
  /** The programs of the device's assignments (the site adds those the sequences install). */
  program(id: string): AgentProgram | undefined;
  /** The content manager software deployments use: DPs of the device's boundary groups. */
  content: ContentPort;
  /**
   * The software executor, on a state directory of the task sequence's own, so the software
   * deployments' recovery never reports a step's run as a deployment's outcome.
   */
  executor: ExecutorPort;
  log: Logger;
}

/** The program, after the ones it needs first (its `dependsOnProgramId` chain), oldest first. */
function chainOf(
  deps: ProgramInstallerDeps,
  programId: string,
): AgentProgram[] | { error: string } {
  const chain: AgentProgram[] = [];
  for (let id: string | null = programId; id !== null;) {
    const program = deps.program(id);
    if (program === undefined)
      return { error: `program ${id} is not among this device's assigned programs` };
    if (chain.some((p) => p.id === program.id) || chain.length >= MAX_CHAIN)
      return { error: `program ${programId} depends on itself` };
    chain.unshift(program);
    id = program.dependsOnProgramId;
  }
  return chain;
}

/**
 * The install-software step's host hook in the full OS (issue 11): each program runs exactly as
 * a software deployment runs it: requirements checked, content from a DP verified into the
 * cache, the executor's run (run as, maximum run time, success and reboot exit codes). A
 * program the agent left running when it stopped is waited for before the step runs again.
 */
export class ProgramInstaller {
  private recovered: Promise<void> | undefined;

  constructor(private readonly deps: ProgramInstallerDeps) {}

  /** Runs left by an earlier agent process: the step that started them runs again. */
  private settleLeftovers(): Promise<void> {
    this.recovered ??= (async () => {
      const { executor, log } = this.deps;
      for (const runId of await executor.recover()) {
        const outcome = await executor.wait(runId).catch((err: unknown) => {
          log.warn(`task-sequence program run ${runId}: ${errorMessage(err)}`);
        });
        if (outcome) log.info(`task-sequence program run ${runId} left ${outcome.result}`);
        await executor.acknowledge(runId).catch(() => undefined);
      }
    })();
    return this.recovered;
  }

  /** The hook for one deployment's run: content status messages carry its id. */
  forDeployment(
    deploymentId: string,
  ): (programId: string, signal: AbortSignal) => Promise<StepResult> {
    const deployment: ContentDeployment = {
      ...settingsDefaults(DeploymentOptions),
      id: deploymentId,
    };
    return async (programId, signal) => {
      await this.settleLeftovers();
      const chain = chainOf(this.deps, programId);
      if ('error' in chain) return failed(chain.error);
      for (const program of chain) {
        if (program.disabled) return failed(`program "${program.name}" is disabled`);
        const check = await this.deps.executor.checkRequirements(program.requirements);
        if (!check.ok) return failed(`requirements of "${program.name}" not met: ${check.reason}`);
      }
      for (const program of chain) {
        const result = await this.runOne(program, deployment, signal);
        if (!result.ok) return result;
      }
      return SUCCEEDED;
    };
  }

  private async runOne(
    program: AgentProgram,
    deployment: ContentDeployment,
    signal: AbortSignal,
  ): Promise<StepResult> {
    const { content, executor } = this.deps;
    let prepared;
    try {
      prepared = await content.prepare({ program, deployment, signal });
    } catch (err) {
      return failed(`content of "${program.packageName}" not available: ${errorMessage(err)}`);
    }
    const runId = randomUUID();
    const stop = () => void executor.stop(runId, 'the step timed out').catch(() => undefined);
    try {
      await executor.start({
        runId,
        deploymentId: deployment.id,
        revision: 0,
        program,
        packageDir: prepared.dir,
      });
      signal.addEventListener('abort', stop, { once: true });
      const outcome = await executor.wait(runId);
      await executor.acknowledge(runId);
      const label = `"${program.packageName}" / "${program.name}"`;
      if (outcome.result === 'failed')
        return failed(
          `${label}: ${outcome.reason ?? 'failed'}`,
          outcome.exitCode ?? 1,
          outcome.outputTail === '' ? null : outcome.outputTail,
        );
      return {
        ok: true,
        exitCode: outcome.exitCode ?? 0,
        reason: null,
        outputTail: outcome.outputTail === '' ? null : outcome.outputTail,
      };
    } finally {
      signal.removeEventListener('abort', stop);
      await prepared.release().catch(() => undefined);
    }
  }
}
