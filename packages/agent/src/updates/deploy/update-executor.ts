import {
  type AgentDeployment,
  type AgentUpdateInstall,
  type PlatformRequirements,
  type RestartNeed,
  type StatusMessageBody,
  type StatusMessageName,
  type WindowSpec,
} from '@steward/protocol';
import type { Clock } from '../../clock.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { statusMessage } from '../../outbox/status-message.js';
import type { ExecutorPort, RunOutcome, RunRequest } from '../../software/ports.js';
import { aptInstall, installedVersions } from '../install/apt-install.js';
import { windowCheck } from '../../software/deployment-evaluator.js';
import { newRestart, pendingReason } from '../restart/restart-plan.js';
import { detectRestartNeed, predictRestartNeed } from '../restart/restart-detect.js';
import type { RestartCoordinator } from '../restart/restart-coordinator.js';
import { decideRestart, packagesToInstall, updateWindows, type DeviceRole } from './policy.js';
import { planCustom, runCustom, type CustomInstallEnv, type CustomPlan } from './custom-install.js';

/** The messages that tell how an install left the restart (one deployment insertion). */
type RestartMessage =
  | 'UPDATE_INSTALLED_NO_RESTART'
  | 'UPDATE_INSTALLED_RESTART_SUPPRESSED_SERVER'
  | 'UPDATE_INSTALLED_RESTART_SUPPRESSED_WORKSTATION'
  | 'UPDATE_INSTALLED_RESTART_REQUIRED';

interface RunIdentity {
  runId: string;
  deploymentId: string;
  revision: number;
  name: string;
}

export interface UpdateRunEnv {
  /** The deployment a run belongs to, as the current assignments hold it. */
  lookup(deploymentId: string): AgentDeployment | undefined;
  /** The maintenance windows of the device's collections. */
  windows(): readonly WindowSpec[];
  /** The system to change: '/' on a machine, a sandbox in tests. */
  root: string;
  /** Scans against the catalog and reports it (before and after an install). */
  scan(): Promise<void>;
  role(): Promise<DeviceRole>;
  /** Carries the restarts installs leave pending (countdown, snooze, window, verification). */
  restarts: Pick<RestartCoordinator, 'plan' | 'arm'>;
  report(m: StatusMessageBody): Promise<void>;
  clock: Clock;
  log: Logger;
  /** Custom updates' programs, their content and the machine's rule probes (ADR 0083). */
  custom: Omit<CustomInstallEnv, 'executor'>;
}

interface OwnRun {
  deploymentId: string;
  programId: string;
  outcome: Promise<RunOutcome>;
}

type Result = Pick<
  RunOutcome,
  'result' | 'reasonCode' | 'reason' | 'outputTail' | 'exitCode' | 'restart'
>;

const failed = (reasonCode: string, reason: string): Result => ({
  result: 'failed',
  exitCode: null,
  reasonCode,
  reason: reason.slice(0, 2000),
  outputTail: reason,
});

/**
 * The software executor, with update deployments run in-process (ADR 0056): a run whose
 * deployment carries `updateInstall` is not spawned; the agent scans, installs the approved
 * versions in one apt transaction from the downloaded site-signed repository, scans again and
 * handles the restart once. Every other run goes to the real executor unchanged.
 */
export class UpdateAwareExecutor implements ExecutorPort {
  private readonly own = new Map<string, OwnRun>();

  constructor(
    private readonly inner: ExecutorPort,
    private readonly env: UpdateRunEnv,
  ) {}

  checkRequirements(
    r: PlatformRequirements,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.inner.checkRequirements(r);
  }

  start(req: RunRequest): Promise<void> {
    const spec = this.env.lookup(req.deploymentId)?.updateInstall;
    if (!spec) return this.inner.start(req);
    const startedAt = this.env.clock.now().toISOString();
    const name = this.env.lookup(req.deploymentId)?.name ?? req.deploymentId;
    const run = { runId: req.runId, deploymentId: req.deploymentId, revision: req.revision, name };
    const outcome = this.install(run, req.packageDir, spec, this.env.lookup(req.deploymentId))
      .catch((err: unknown): Result => ({
        result: 'failed',
        exitCode: null,
        reasonCode: 'UPDATE_INSTALL_ERROR',
        reason: errorMessage(err).slice(0, 2000),
        outputTail: '',
      }))
      .then((r): RunOutcome => ({
        runId: req.runId,
        deploymentId: req.deploymentId,
        revision: req.revision,
        startedAt,
        finishedAt: this.env.clock.now().toISOString(),
        ...r,
      }));
    this.own.set(req.runId, { deploymentId: req.deploymentId, programId: req.program.id, outcome });
    return Promise.resolve();
  }

  wait(runId: string): Promise<RunOutcome> {
    return this.own.get(runId)?.outcome ?? this.inner.wait(runId);
  }

  /** An apt transaction is never cut short (dpkg would be left half-configured): it finishes. */
  stop(runId: string, reason: string): Promise<void> {
    if (this.own.has(runId)) {
      this.env.log.warn(`update install ${runId} runs to its end (${reason})`);
      return Promise.resolve();
    }
    return this.inner.stop(runId, reason);
  }

  running(): { runId: string; deploymentId: string; programId: string }[] {
    return [
      ...this.inner.running(),
      ...[...this.own].map(([runId, r]) => ({
        runId,
        deploymentId: r.deploymentId,
        programId: r.programId,
      })),
    ];
  }

  recover(): Promise<string[]> {
    return this.inner.recover();
  }

  /** The outcome is reported: a restart the install left pending may now go ahead. */
  async acknowledge(runId: string): Promise<void> {
    if (this.own.delete(runId)) {
      await this.env.restarts.arm(runId);
      return;
    }
    await this.inner.acknowledge(runId);
  }

  private async scan(): Promise<void> {
    await this.env.scan().catch((err: unknown) => {
      this.env.log.warn(`update scan around an install failed: ${errorMessage(err)}`);
    });
  }

  private async install(
    run: RunIdentity,
    repoDir: string,
    spec: AgentUpdateInstall,
    deployment: AgentDeployment | undefined,
  ): Promise<Result> {
    const { env } = this;
    const { name } = run;
    // A scan always runs before an install (the seed): compliance is current either way.
    await this.scan();
    const names = spec.updates.flatMap((u) => u.binaries.map((b) => b.name));
    const installed = await installedVersions(names, env.root);
    const packages = packagesToInstall(spec.updates, installed);
    // Custom updates (ADR 0083): detection decides what has work to do, before anything runs.
    const custom = await planCustom(
      spec.custom ?? [],
      spec.allowDowngrades,
      await env.custom.probes(),
    );
    const undecided = custom.unknown
      .map((u) => `${u.title}: ${u.details.join('; ') || 'the rules cannot be decided'}`)
      .join('; ');
    if (undecided !== '') {
      await env.report(
        statusMessage('UPDATE_INSTALL_FAILED', [name, 'detection-unknown', undecided]),
      );
      return failed('CUSTOM_DETECTION_UNKNOWN', undecided);
    }
    if (packages.length === 0 && custom.todo.length === 0) {
      await env.report(statusMessage('UPDATE_NOTHING_REQUIRED', [name]));
      return { result: 'succeeded', exitCode: 0, outputTail: 'nothing to install' };
    }
    const planText = (list: string[]) => (list.length > 0 ? list.join(', ') : 'nothing');
    if (spec.rehearsal) return this.rehearse(run, repoDir, spec, packages, custom);
    await env.report(
      statusMessage('UPDATE_INSTALL_STARTED', [name, String(packages.length + custom.todo.length)]),
    );
    const summary: string[] = [];
    const customRestartBy: string[] = [];
    if (packages.length > 0) {
      const r = await aptInstall({
        repoDir,
        siteKey: spec.repoKey,
        packages,
        root: env.root,
        simulate: false,
        allowDowngrades: spec.allowDowngrades,
      });
      if (!r.ok) {
        await env.report(statusMessage('UPDATE_INSTALL_FAILED', [name, r.failure, r.message]));
        return failed(r.failure.toUpperCase().replaceAll('-', '_'), r.message);
      }
      const install = r.plan.install.map((p) => `${p.name}=${p.version}`);
      summary.push(`installed ${planText(install)}; removed ${planText(r.plan.remove)}`);
    }
    if (custom.todo.length > 0) {
      if (!deployment) return failed('UPDATE_INSTALL_ERROR', 'the deployment left the assignments');
      const c = await runCustom(
        { ...env.custom, executor: this.inner },
        { runId: run.runId, deployment },
        custom.todo,
      );
      summary.push(...c.lines);
      if (c.failure) {
        await this.scan();
        const message = [...summary, c.failure.message].join('; ');
        await env.report(statusMessage('UPDATE_INSTALL_FAILED', [name, c.failure.code, message]));
        return failed(c.failure.code, message);
      }
      customRestartBy.push(...c.restartBy);
    }
    await this.scan();
    // What is left to restart: needrestart where installed, else the flag files and the
    // processes whose executables dpkg replaced (ADR 0099). Custom programs may ask too.
    const detected = await detectRestartNeed({ root: env.root });
    const need: RestartNeed = {
      ...detected,
      reboot: detected.reboot || customRestartBy.length > 0,
      packages: [...new Set([...detected.packages, ...customRestartBy])],
    };
    if (need.services.length > 0)
      await env.report(
        statusMessage('UPDATE_RESTART_DETECTED', [
          name,
          need.reboot ? 'yes' : 'no',
          need.services.join(', '),
          need.source,
        ]),
      );
    return this.restart(run, spec, need, summary.join('; '));
  }

  /** apt's simulate mode, and detection only for custom updates: nothing changes. */
  private async rehearse(
    run: RunIdentity,
    repoDir: string,
    spec: AgentUpdateInstall,
    packages: { name: string; version: string }[],
    custom: CustomPlan,
  ): Promise<Result> {
    const { env } = this;
    const planText = (list: string[]) => (list.length > 0 ? list.join(', ') : 'nothing');
    let install: string[] = [];
    let remove: string[] = [];
    let already: string[] = [];
    let predicted: RestartNeed = {
      reboot: false,
      services: [],
      packages: [],
      source: 'prediction',
    };
    if (packages.length > 0) {
      const r = await aptInstall({
        repoDir,
        siteKey: spec.repoKey,
        packages,
        root: env.root,
        simulate: true,
        allowDowngrades: spec.allowDowngrades,
      });
      if (!r.ok) {
        await env.report(statusMessage('UPDATE_INSTALL_FAILED', [run.name, r.failure, r.message]));
        return failed(r.failure.toUpperCase().replaceAll('-', '_'), r.message);
      }
      install = r.plan.install.map((p) => `${p.name}=${p.version}`);
      remove = [...r.plan.remove];
      already = r.alreadyInstalled;
      predicted = await predictRestartNeed(
        r.plan.install.map((p) => p.name),
        { root: env.root },
      );
    }
    // A custom update whose program would ask for a restart is not known before it runs.
    for (const c of custom.todo)
      (c.action === 'install' ? install : remove).push(`${c.update.title} (custom)`);
    await env.report(
      statusMessage('UPDATE_REHEARSAL_DONE', [run.name, planText(install), planText(remove)]),
    );
    await env.report(
      statusMessage('UPDATE_RESTART_PREDICTED', [
        run.name,
        predicted.reboot ? 'yes' : 'no',
        planText(predicted.packages),
        planText(predicted.services),
      ]),
    );
    return {
      result: 'succeeded',
      exitCode: 0,
      restart: predicted,
      outputTail:
        `rehearsal: would install ${planText(install)}; would remove ${planText(remove)}; ` +
        `already installed ${planText([...already, ...custom.done])}; ` +
        `reboot ${predicted.reboot ? 'would follow' : 'not needed'}; ` +
        `services that would restart: ${planText(predicted.services)}`,
    };
  }

  private async restart(
    run: RunIdentity,
    spec: AgentUpdateInstall,
    need: RestartNeed,
    summary: string,
  ): Promise<Result> {
    const { env } = this;
    const { name } = run;
    const nowMs = env.clock.now().getTime();
    const decision = decideRestart({
      required: need.reboot,
      role: await env.role(),
      options: spec,
      inWindow: windowCheck(updateWindows(env.windows()), nowMs, 0).ok,
    });
    const by = need.packages.length > 0 ? ` (asked by ${need.packages.join(', ')})` : '';
    const attrs = { deploymentId: run.deploymentId };
    const message = (m: StatusMessageName & RestartMessage) =>
      env.report(statusMessage(m, [name], attrs, env.clock.now()));
    let plan: 'suppressed' | 'wait-window' | 'restart';
    let note: string | undefined;
    switch (decision) {
      case 'none':
        await message('UPDATE_INSTALLED_NO_RESTART');
        return { result: 'succeeded', exitCode: 0, outputTail: summary, restart: need };
      case 'suppressed-server':
        await message('UPDATE_INSTALLED_RESTART_SUPPRESSED_SERVER');
        [plan, note] = ['suppressed', `restart required${by}, suppressed on servers`];
        break;
      case 'suppressed-workstation':
        await message('UPDATE_INSTALLED_RESTART_SUPPRESSED_WORKSTATION');
        [plan, note] = ['suppressed', `restart required${by}, suppressed on workstations`];
        break;
      case 'wait-window':
        await message('UPDATE_INSTALLED_RESTART_REQUIRED');
        plan = 'wait-window';
        break;
      case 'restart':
        await message('UPDATE_INSTALLED_RESTART_REQUIRED');
        plan = 'restart';
        break;
    }
    // The restart itself waits for the outcome to be reported (the executor's acknowledge).
    const pending = newRestart(
      {
        deploymentId: run.deploymentId,
        name,
        revision: run.revision,
        runId: run.runId,
        summary: `${summary}; restart required${by}`,
        ...(note === undefined ? {} : { note }),
        options: {
          notifyUsers: spec.notifyUsers,
          allowRestartOutsideWindows: spec.allowRestartOutsideWindows,
          restartCountdownMinutes: spec.restartCountdownMinutes,
          restartMaxSnoozeMinutes: spec.restartMaxSnoozeMinutes,
          restartFinalCountdownMinutes: spec.restartFinalCountdownMinutes,
          suppressedRestartDeadlineMinutes: spec.suppressedRestartDeadlineMinutes,
        },
      },
      plan,
      nowMs,
    );
    await env.restarts.plan(pending);
    const reason = pendingReason(pending);
    return {
      result: 'reboot-pending',
      exitCode: 0,
      restart: need,
      reasonCode: 'RESTART_PENDING',
      reason,
      outputTail: `${summary}; ${reason}`,
    };
  }
}
