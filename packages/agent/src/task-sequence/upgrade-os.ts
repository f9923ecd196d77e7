import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type StatusMessageBody,
  UPGRADE_REPORT_NAMES,
  type UpgradeReport,
  type UpgradeSpec,
} from '@steward/protocol';
import { statusMessage } from '../outbox/status-message.js';
import { rootAptArgs } from '../updates/install/apt-install.js';
import { failed, type StepResult, SUCCEEDED } from './executor.js';
import { runProgram } from './run-program.js';
import { preChecks, readRelease, runAll } from './upgrade-checks.js';
import {
  backupWaiting,
  restoreSources,
  retireBackup,
  sourcesPaths,
  switchSources,
} from './upgrade-sources.js';

/**
 * The upgrade-os step (issue 11, ADR 0102): an in-place release upgrade run by the machine's
 * own apt and dpkg. Phases: pre-checks (nothing changes when one fails), the sources switched
 * (backup kept), `apt-get update`, a simulated `full-upgrade` whose plan is reported and refused
 * when it removes a package the upgrade package does not allow, optionally every package
 * downloaded first, the real `full-upgrade` non-interactively, and a post-check of
 * /etc/os-release. Any failure after the switch restores the previous sources. Each phase
 * raises a status message; the last one carries the whole report (OS_UPGRADE_REPORT), which
 * the site attaches to the run.
 *
 * `root` is the system to upgrade: '/' on a machine, a sandbox with its own dpkg database and
 * apt state in tests (apt `Dir=`, dpkg `--root`), where the same real apt and dpkg run.
 */

export interface UpgradeRun {
  spec: UpgradeSpec;
  root: string;
  signal: AbortSignal;
  /** Raises a status message (the deployed run's attributes are added by the caller). */
  emit: (message: StatusMessageBody) => Promise<void> | void;
  now?: () => Date;
}

/** apt's options for a root: the real one as it is, a sandbox as apt-install runs one. */
export function aptArgs(root: string): string[] {
  // A sandbox's lists and archives are not the _apt user's to write.
  return root === '/' ? [] : [...rootAptArgs(root), '-o', 'APT::Sandbox::User=root'];
}

function aptEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    DEBIAN_FRONTEND: 'noninteractive',
    APT_LISTCHANGES_FRONTEND: 'none',
    ...(root !== '/' ? { DPKG_ROOT: root } : {}),
  };
}

export interface UpgradePlan {
  upgraded: string[];
  added: string[];
  removed: string[];
}

/** `Inst pkg [old] (new ...)` (an upgrade), `Inst pkg (new ...)` (new), `Remv pkg [old]`. */
export function parseUpgradePlan(output: string): UpgradePlan {
  const plan: UpgradePlan = { upgraded: [], added: [], removed: [] };
  for (const line of output.split('\n')) {
    const inst = /^Inst (\S+) (\[[^\]]*\] )?\(/.exec(line);
    if (inst?.[1] !== undefined)
      (inst[2] === undefined ? plan.added : plan.upgraded).push(inst[1].replace(/:\S+$/, ''));
    const remv = /^Remv (\S+)/.exec(line);
    if (remv?.[1] !== undefined) plan.removed.push(remv[1].replace(/:\S+$/, ''));
  }
  return plan;
}

/** Whether a name is allowed by one of the package's removals (exact, or a `*` glob). */
export function removalAllowed(name: string, allowed: readonly string[]): boolean {
  return allowed.some((a) =>
    a.includes('*')
      ? new RegExp(`^${a.replace(/[.+]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name)
      : a === name,
  );
}

const MAX_REPORT_TEXT = 2000;

/** The report as the status message carries it: lists shortened until it fits. */
export function reportText(report: UpgradeReport): string {
  let r = report;
  for (let keep = UPGRADE_REPORT_NAMES; keep >= 0; keep -= 5) {
    const text = JSON.stringify(r);
    if (text.length <= MAX_REPORT_TEXT) return text;
    r = {
      ...r,
      preChecks: r.preChecks.map((c) => ({ ...c, detail: c.detail.slice(0, 120) })),
      reason: r.reason === null ? null : r.reason.slice(0, 300),
      plan:
        r.plan === null
          ? null
          : {
              ...r.plan,
              removedNames: r.plan.removedNames.slice(0, keep),
              disallowedRemovals: r.plan.disallowedRemovals.slice(0, keep),
            },
    };
  }
  return JSON.stringify({ ...r, preChecks: [] }).slice(0, MAX_REPORT_TEXT);
}

const tail = (output: string) => output.trim().split('\n').slice(-15).join('\n').slice(-2000);

/** Runs the upgrade; the step's result and the report it raised. */
export async function upgradeOs(
  run: UpgradeRun,
): Promise<{ result: StepResult; report: UpgradeReport }> {
  const { spec, root } = run;
  const now = run.now ?? (() => new Date());
  const target = `${spec.targetRelease.codename} (${spec.targetRelease.version})`;
  const attrs = { upgradePackageId: spec.id };
  // Each phase's message is queued before the next phase starts (a power cut keeps them).
  const emit = async (m: StatusMessageBody) => {
    await run.emit({ ...m, attributes: { ...m.attributes, ...attrs } });
  };
  const paths = sourcesPaths(root);
  const args = aptArgs(root);
  const env = aptEnv(root);
  const report: UpgradeReport = {
    upgradePackageId: spec.id,
    fromRelease: null,
    targetRelease: target,
    outcome: 'failed',
    preChecks: [],
    plan: null,
    reason: null,
    installSeconds: null,
    downtimeExceeded: false,
    sourcesRestored: false,
  };
  const finish = async (result: StepResult) => {
    await emit(
      statusMessage(
        'OS_UPGRADE_REPORT',
        [spec.name, report.outcome, reportText(report)],
        { outcome: report.outcome },
        now(),
      ),
    );
    return { result, report };
  };
  // An earlier run stopped after switching the sources: put the machine's own back first.
  if (await backupWaiting(paths)) await restoreSources(paths);
  const release = await readRelease(root);
  report.fromRelease = release ? `${release.codename} (${release.version})` : null;

  // 1. pre-checks: nothing changes when one fails.
  report.preChecks = await preChecks(root, spec, args);
  const bad = report.preChecks.find((c) => !c.ok);
  if (bad) {
    report.outcome = 'pre-check-failed';
    report.reason = `pre-check ${bad.check}: ${bad.detail}`;
    await emit(
      statusMessage('OS_UPGRADE_PRE_CHECK_FAILED', [target, bad.check, bad.detail], {}, now()),
    );
    return finish(failed(report.reason, 1));
  }
  await emit(
    statusMessage(
      'OS_UPGRADE_PRE_CHECKS_PASSED',
      [target, report.preChecks.map((c) => c.check).join(', ')],
      {},
      now(),
    ),
  );

  // Any failure from here restores the sources.
  const fail = async (phase: string, reason: string, outputTail: string | null) => {
    report.reason = `${phase}: ${reason}`;
    report.sourcesRestored = await restoreSources(paths);
    if (report.sourcesRestored) await runAll('apt-get', [...args, 'update'], env);
    await emit(
      statusMessage(
        'OS_UPGRADE_FAILED',
        [target, phase, reason, report.sourcesRestored ? 'yes' : 'no'],
        {},
        now(),
      ),
    );
    return finish(failed(report.reason, 1, outputTail));
  };

  // 2. the sources, then the target's package lists.
  await switchSources(paths, spec);
  await emit(
    statusMessage(
      'OS_UPGRADE_SOURCES_SWITCHED',
      [target, spec.sources.map((s) => `${s.url} ${s.suite}`).join('; '), paths.backupDir],
      {},
      now(),
    ),
  );
  await mkdir(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
  const update = await runAll('apt-get', [...args, 'update'], env);
  if (update.code !== 0 || /^(E:|W: GPG error)/m.test(update.output))
    return fail('update', 'apt-get update failed', tail(update.output));

  // 3. the plan.
  const sim = await runAll('apt-get', [...args, '-s', 'full-upgrade'], env);
  if (sim.code !== 0) return fail('plan', 'the simulated full-upgrade failed', tail(sim.output));
  const plan = parseUpgradePlan(sim.output);
  const disallowed = plan.removed.filter((n) => !removalAllowed(n, spec.options.allowedRemovals));
  report.plan = {
    upgraded: plan.upgraded.length,
    new: plan.added.length,
    removed: plan.removed.length,
    removedNames: plan.removed.slice(0, UPGRADE_REPORT_NAMES),
    disallowedRemovals: disallowed.slice(0, UPGRADE_REPORT_NAMES),
  };
  await emit(
    statusMessage(
      'OS_UPGRADE_PLAN',
      [
        target,
        String(plan.upgraded.length),
        String(plan.added.length),
        String(plan.removed.length),
        plan.removed.slice(0, UPGRADE_REPORT_NAMES).join(', ') || 'none removed',
      ],
      {},
      now(),
    ),
  );
  if (disallowed.length > 0) {
    report.outcome = 'refused';
    report.reason = `the plan removes packages not allowed: ${disallowed.join(', ')}`;
    report.sourcesRestored = await restoreSources(paths);
    if (report.sourcesRestored) await runAll('apt-get', [...args, 'update'], env);
    await emit(
      statusMessage('OS_UPGRADE_PLAN_REFUSED', [target, disallowed.join(', ')], {}, now()),
    );
    return finish(failed(report.reason, 1));
  }

  // 4. download first (downtime is then the install alone), then the real upgrade.
  const upgradeArgs = [
    ...args,
    '-y',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
  ];
  if (spec.options.downloadOnlyFirst) {
    const dl = await runAll('apt-get', [...upgradeArgs, '-d', 'full-upgrade'], env);
    if (dl.code !== 0) return fail('download', 'downloading the packages failed', tail(dl.output));
  }
  const started = now().getTime();
  const real = await runProgram('apt-get', [...upgradeArgs, 'full-upgrade'], {
    env,
    signal: run.signal,
  });
  const seconds = Math.round((now().getTime() - started) / 1000);
  report.installSeconds = seconds;
  if (real.exitCode !== 0 || run.signal.aborted)
    return fail(
      'install',
      real.error ?? `apt-get full-upgrade exited ${String(real.exitCode)}`,
      real.outputTail,
    );
  const allowed = String(spec.options.maxDowntimeMinutes);
  await emit(statusMessage('OS_UPGRADE_INSTALLED', [target, String(seconds), allowed], {}, now()));
  if (seconds > spec.options.maxDowntimeMinutes * 60) {
    report.downtimeExceeded = true;
    await emit(
      statusMessage('OS_UPGRADE_DOWNTIME_EXCEEDED', [target, String(seconds), allowed], {}, now()),
    );
  }

  // 5. post-check: the system says it is the target.
  const after = await readRelease(root);
  if (after?.codename !== spec.targetRelease.codename)
    return fail(
      'post-check',
      `/etc/os-release shows ${after ? `${after.codename} (${after.version})` : 'nothing'}, not ${target}`,
      null,
    );
  await retireBackup(paths, spec.fromRelease.codename);
  report.outcome = 'succeeded';
  await emit(statusMessage('OS_UPGRADE_SUCCEEDED', [report.fromRelease ?? '?', target], {}, now()));
  return finish(SUCCEEDED);
}
