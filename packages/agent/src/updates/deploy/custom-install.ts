import {
  evaluateCustomUpdate,
  type AgentCustomInstall,
  type AgentDeployment,
  type AgentProgram,
  type RuleProbes,
} from '@steward/protocol';
import { errorMessage } from '../../errors.js';
import type { ContentPort, ExecutorPort } from '../../software/ports.js';
import { applyCustomUpdate, type CustomApplyAction } from '../custom/apply.js';

/** What installing the custom updates of an update deployment needs from the agent. */
export interface CustomInstallEnv {
  /** A program the assignments carry (the custom updates' programs are among them). */
  program(id: string): AgentProgram | undefined;
  /** Downloads a program's content from the device's DP, hash-verified (software distribution). */
  content: Pick<ContentPort, 'prepare'>;
  /** The real executor: the programs are spawned as any program is (ADR 0007). */
  executor: Pick<ExecutorPort, 'start' | 'wait' | 'acknowledge'>;
  /** The machine's rule probes (dpkg's current answer, files under the system root, commands). */
  probes(): Promise<RuleProbes>;
}

/** A custom update that has work to do here, as detection says before anything runs. */
export interface CustomPlanItem {
  update: AgentCustomInstall;
  action: CustomApplyAction;
}

export interface CustomPlan {
  todo: CustomPlanItem[];
  /** Titles of those already done (installed for an install, absent for a rollback). */
  done: string[];
  /** Titles of those whose applicability rules say they do not concern this machine. */
  notApplicable: string[];
  /** Titles with why the rules cannot be decided here: the device fails, as apt's unknown does. */
  unknown: { title: string; details: string[] }[];
}

/**
 * What the custom updates of a deployment would do on this machine (ADR 0083): an install
 * where detection says Required, an uninstall (a rollback: `allowDowngrades`) where it says
 * Installed. Not required is skipped, not failed: a deployment reaches a whole collection, and
 * an apt update also installs only where its packages are.
 */
export async function planCustom(
  updates: readonly AgentCustomInstall[],
  rollback: boolean,
  probes: RuleProbes,
): Promise<CustomPlan> {
  const plan: CustomPlan = { todo: [], done: [], notApplicable: [], unknown: [] };
  const action: CustomApplyAction = rollback ? 'uninstall' : 'install';
  for (const u of updates) {
    const e = await evaluateCustomUpdate(u, probes);
    switch (e.state) {
      case 'unknown':
        plan.unknown.push({ title: u.title, details: e.details });
        break;
      case 'not-required':
        (rollback ? plan.done : plan.notApplicable).push(u.title);
        break;
      case 'installed':
        if (rollback) plan.todo.push({ update: u, action });
        else plan.done.push(u.title);
        break;
      case 'required':
        if (rollback) plan.done.push(u.title);
        else plan.todo.push({ update: u, action });
        break;
    }
  }
  return plan;
}

export interface CustomRunResult {
  /** `title: what happened`, for the run's output. */
  lines: string[];
  failure?: { code: string; message: string };
  /** A program exited with one of its reboot codes: the install needs a restart. */
  restartBy: string[];
}

/**
 * Runs the planned programs one after another (ADR 0059's `applyCustomUpdate`: detection,
 * program, detection again), each with its content prepared from the DP first. The first
 * failure stops the rest: what is left is done by the next run (redeploy failed).
 */
export async function runCustom(
  env: CustomInstallEnv,
  run: { runId: string; deployment: AgentDeployment },
  todo: readonly CustomPlanItem[],
): Promise<CustomRunResult> {
  const out: CustomRunResult = { lines: [], restartBy: [] };
  for (const [i, item] of todo.entries()) {
    const { update, action } = item;
    const programId = action === 'install' ? update.installProgramId : update.uninstallProgramId;
    const program = programId === null ? null : (env.program(programId) ?? null);
    if (programId !== null && program === null) {
      out.failure = {
        code: 'CUSTOM_PROGRAM_MISSING',
        message: `${update.title}: the ${action} program is not in the assignments`,
      };
      return out;
    }
    let prepared: { dir: string; release(): Promise<void> } | undefined;
    try {
      if (program !== null)
        prepared = await env.content.prepare({ program, deployment: run.deployment });
    } catch (err) {
      out.failure = {
        code: 'CONTENT_UNAVAILABLE',
        message: `${update.title}: content of the ${action} program: ${errorMessage(err)}`,
      };
      return out;
    }
    // One run per program, under the update run's id: the executor's own record of it.
    const runId = `${run.runId}-custom-${String(i)}`;
    try {
      const r = await applyCustomUpdate({
        action,
        update: {
          id: update.updateId,
          detection: update.detection,
          applicability: update.applicability,
        },
        program,
        packageDir: prepared?.dir ?? '/',
        runId,
        deploymentId: run.deployment.id,
        revision: run.deployment.revision,
        executor: env.executor,
        probes: await env.probes(),
      });
      if (r.run !== undefined) await env.executor.acknowledge(runId);
      if (r.result === 'failed') {
        out.failure = {
          code: `CUSTOM_${r.failure ?? 'FAILED'}`,
          message: `${update.title}: ${r.reason ?? `${action} failed`}`,
        };
        return out;
      }
      if (r.result === 'reboot-pending') out.restartBy.push(update.title);
      out.lines.push(`${action === 'install' ? 'installed' : 'uninstalled'} ${update.title}`);
    } finally {
      await prepared?.release().catch(() => undefined);
    }
  }
  return out;
}
