import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusMessageBody, WindowSpec } from '@steward/protocol';
import type { Clock } from '../../clock.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Mutex } from '../../mutex.js';
import { statusMessage } from '../../outbox/status-message.js';
import type { StateFields } from '../../software/deployment-reporter.js';
import { windowCheck } from '../../software/deployment-evaluator.js';
import { updateWindows } from '../deploy/policy.js';
import {
  accept,
  advance,
  pendingReason,
  snooze,
  type PendingRestart,
  type RestartEvent,
  type SnoozeResult,
} from './restart-plan.js';
import type { RestartStore } from './restart-store.js';

/** How long a restart command may leave the machine unrestarted before it counts as failed. */
const RESTART_VERIFY_MS = 30 * 60_000;

export interface RestartEnv {
  store: RestartStore;
  /** The system restarted: '/' on a machine, a sandbox in tests. */
  root: string;
  clock: Clock;
  log: Logger;
  /** The maintenance windows of the device's collections (update-only ones win). */
  windows(): readonly WindowSpec[];
  /** The restart command (argv): the client setting, or the test hook. */
  rebootCommand(): readonly string[];
  report(m: StatusMessageBody): Promise<void>;
  state(fields: StateFields): Promise<void>;
  notify(title: string, body: string): Promise<void>;
  /** Scans against the catalog and reports it (after a verified restart). */
  scan(): Promise<void>;
  /**
   * The restart options the deployment has now (its current assignment), where they can change
   * a restart already pending: the restart deadline for suppressed restarts (ADR 0092).
   */
  currentOptions?(deploymentId: string): { suppressedRestartDeadlineMinutes: number } | undefined;
  /** The kernel's boot id (changes with every boot); undefined where it cannot be read. */
  bootId(): Promise<string | undefined>;
}

/** A restart as the Software Center shows it. */
export interface RestartEntry {
  deploymentId: string;
  name: string;
  phase: PendingRestart['phase'];
  restartAt: string | null;
  mandatoryAt: string | null;
  reason: string;
}

export async function readBootId(): Promise<string | undefined> {
  const text = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined);
  return text?.trim();
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Carries pending update restarts to their end (ADR 0071): ticks advance the countdown, the
 * Software Center snoozes or accepts, the command runs once for every pending restart, and a
 * restart counts only once the machine shows it restarted (the reboot-required flag gone, or
 * a new boot id); then the deployment's state flips to succeeded.
 */
export class RestartCoordinator {
  private readonly lock = new Mutex();

  constructor(private readonly env: RestartEnv) {}

  /** Keeps a restart the install left pending; nothing happens until its outcome is reported. */
  plan(r: PendingRestart): Promise<void> {
    return this.lock.run(() => this.env.store.put(r));
  }

  /** The install's outcome is in the outbox: its restart may proceed. */
  arm(runId: string): Promise<void> {
    return this.lock.run(async () => {
      const found = this.env.store.all.find((x) => x.runId === runId);
      if (found === undefined || found.armed) return;
      const r: PendingRestart = { ...found, armed: true };
      await this.env.store.put(r);
      // A countdown the install began is announced now that the site can hear of the install.
      if (r.phase === 'countdown') await this.apply(r, { kind: 'countdown-started' });
      if (r.phase === 'final') await this.apply(r, { kind: 'final-countdown' });
    });
  }

  list(): RestartEntry[] {
    return this.env.store.all.map((r) => ({
      deploymentId: r.deploymentId,
      name: r.name,
      phase: r.phase,
      restartAt: iso(r.restartAtMs),
      mandatoryAt: iso(r.mandatoryAtMs),
      reason: pendingReason(r),
    }));
  }

  /** One step for every armed restart (the agent's deployment tick). */
  tick(): Promise<void> {
    return this.lock.run(async () => {
      const now = this.env.clock.now().getTime();
      const check = windowCheck(updateWindows(this.env.windows()), now, 0);
      for (const r of [...this.env.store.all]) {
        if (!r.armed) continue;
        if (r.phase === 'restarting') {
          // Planned as due at once (no countdown): the command has not run yet.
          if (r.restartedAtMs === undefined) await this.restart(r);
          else await this.verify(r, now);
          continue;
        }
        const current = this.withCurrentOptions(r);
        if (
          current.options.suppressedRestartDeadlineMinutes !==
          r.options.suppressedRestartDeadlineMinutes
        ) {
          // The administrator changed the deadline: kept, and the site sees the new reason.
          await this.env.store.put(current);
          await this.pendingState(current);
        }
        const step = advance(current, now, check.ok, check.ok ? undefined : check.nextRunAtMs);
        await this.apply(step.restart, step.event);
      }
    });
  }

  /** The user moves the restart later (by minutes: postponed; to a time: rescheduled). */
  snooze(
    deploymentId: string,
    by: { minutes: number } | { untilMs: number },
    user: string,
  ): Promise<SnoozeResult | undefined> {
    return this.lock.run(async () => {
      const r = this.env.store.find(deploymentId);
      if (r?.armed !== true) return undefined;
      const result = snooze(r, this.env.clock.now().getTime(), by);
      if (!result.ok) return result;
      await this.env.store.put(result.restart);
      const at = iso(result.restart.restartAtMs) ?? '';
      await this.message(
        'minutes' in by
          ? statusMessage('UPDATE_RESTART_POSTPONED_BY_USER', [r.name, at], this.attrs(r))
          : statusMessage('UPDATE_RESTART_RESCHEDULED', [r.name, at], this.attrs(r)),
      );
      await this.pendingState(result.restart, `snoozed by ${user}`);
      return result;
    });
  }

  /** The user restarts now. */
  restartNow(deploymentId: string, user: string): Promise<PendingRestart | undefined> {
    return this.lock.run(async () => {
      const r = this.env.store.find(deploymentId);
      if (r?.armed !== true) return undefined;
      await this.message(statusMessage('UPDATE_RESTART_ACCEPTED_BY_USER', [r.name, user]));
      const step = accept(r);
      await this.apply(step.restart, step.event);
      return step.restart;
    });
  }

  /** A suppressed restart follows the deployment's restart deadline as it is now. */
  private withCurrentOptions(r: PendingRestart): PendingRestart {
    if (r.phase !== 'suppressed') return r;
    const current = this.env.currentOptions?.(r.deploymentId);
    if (current === undefined) return r;
    return { ...r, options: { ...r.options, ...current } };
  }

  private attrs(r: PendingRestart): Record<string, string> {
    return { deploymentId: r.deploymentId };
  }

  private async message(m: StatusMessageBody): Promise<void> {
    await this.env.report({ ...m, at: this.env.clock.now().toISOString() });
  }

  private async pendingState(r: PendingRestart, extra?: string): Promise<void> {
    const reason = pendingReason(r) + (extra === undefined ? '' : ` (${extra})`);
    await this.env.state({
      deploymentId: r.deploymentId,
      revision: r.revision,
      state: 'reboot-pending',
      runId: r.runId,
      reasonCode: 'RESTART_PENDING',
      reason,
      outputTail: `${r.summary}; ${reason}`,
    });
  }

  private async apply(r: PendingRestart, event: RestartEvent): Promise<void> {
    const a = this.attrs(r);
    switch (event.kind) {
      case 'none':
        return;
      case 'countdown-started': {
        await this.env.store.put(r);
        const at = iso(r.restartAtMs) ?? '';
        await this.message(
          statusMessage(
            'UPDATE_RESTART_COUNTDOWN_STARTED',
            [r.name, at, iso(r.mandatoryAtMs) ?? at],
            a,
          ),
        );
        await this.env.notify(
          'Restart required for updates',
          `"${r.name}" was installed; this machine restarts at ${new Date(r.restartAtMs ?? 0).toLocaleString()}. ` +
            `Snooze: steward-agent center snooze ${r.deploymentId} --minutes N; restart now: steward-agent center restart ${r.deploymentId}`,
        );
        await this.pendingState(r);
        return;
      }
      case 'final-countdown':
        await this.env.store.put(r);
        await this.message(
          statusMessage('UPDATE_RESTART_FINAL_COUNTDOWN', [r.name, iso(r.restartAtMs) ?? ''], a),
        );
        await this.env.notify(
          'This machine restarts soon',
          `Save your work: the restart for "${r.name}" runs at ${new Date(r.restartAtMs ?? 0).toLocaleString()} and can no longer be snoozed.`,
        );
        await this.pendingState(r);
        return;
      case 'auto-postponed':
        await this.env.store.put(r);
        await this.message(
          statusMessage(
            'UPDATE_RESTART_POSTPONED_AUTOMATICALLY',
            [r.name, this.nextWindowText(), event.reason],
            a,
          ),
        );
        await this.pendingState(r);
        return;
      case 'suppression-ended':
        await this.env.store.put(r);
        await this.message(
          statusMessage(
            'UPDATE_SUPPRESSED_RESTART_MANDATORY',
            [r.name, new Date(event.deadlineMs).toISOString()],
            a,
          ),
        );
        await this.pendingState(r);
        return;
      case 'restart':
        await this.restart(r);
        return;
    }
  }

  private nextWindowText(): string {
    const now = this.env.clock.now().getTime();
    const check = windowCheck(updateWindows(this.env.windows()), now, 0);
    return check.ok ? 'now' : (iso(check.nextRunAtMs) ?? 'no window is scheduled');
  }

  /** One command for every pending restart: each is recorded as restarting before it runs. */
  private async restart(first: PendingRestart): Promise<void> {
    const now = this.env.clock.now().getTime();
    const bootId = await this.env.bootId();
    // Every armed restart is done by this one (one restart for every update installed).
    const others = this.env.store.all.filter(
      (x) => x.armed && x.deploymentId !== first.deploymentId,
    );
    const all = [first, ...others];
    const restarting = all.map((r): PendingRestart => ({
      ...r,
      phase: 'restarting',
      restartedAtMs: now,
      ...(bootId === undefined ? {} : { bootId }),
    }));
    for (const r of restarting) {
      await this.env.store.put(r);
      await this.message(
        statusMessage('UPDATE_MANDATORY_RESTART_PENDING', [r.name], this.attrs(r)),
      );
      await this.pendingState(r);
    }
    const failure = await this.runCommand();
    if (failure === undefined) {
      for (const r of restarting)
        await this.message(
          statusMessage('UPDATE_MANDATORY_RESTART_FORCED', [r.name], this.attrs(r)),
        );
      return;
    }
    for (const r of restarting) await this.failed(r, failure);
  }

  private runCommand(): Promise<string | undefined> {
    const [cmd, ...args] = this.env.rebootCommand();
    return new Promise((resolve) => {
      if (cmd === undefined) {
        resolve('no restart command is configured');
        return;
      }
      execFile(cmd, args, { timeout: 60_000 }, (err, _out, stderr) =>
        resolve(err ? `${err.message} ${stderr}`.trim().slice(0, 1000) : undefined),
      );
    });
  }

  /** The restart did not happen: it waits for the user from now on (no restart deadline). */
  private async failed(r: PendingRestart, failure: string): Promise<void> {
    this.env.log.warn(`update restart for ${r.name} failed: ${failure}`);
    await this.message(
      statusMessage('UPDATE_RESTART_COMMAND_FAILED', [r.name, failure], this.attrs(r)),
    );
    const next: PendingRestart = { ...r, phase: 'suppressed', note: `restart failed: ${failure}` };
    await this.env.store.put(next);
    await this.env.state({
      deploymentId: r.deploymentId,
      revision: r.revision,
      state: 'reboot-pending',
      runId: r.runId,
      reasonCode: 'RESTART_FAILED',
      reason: failure,
      outputTail: `${r.summary}; restart failed: ${failure}`,
    });
  }

  /** Restarted when the flag is gone (a boot clears /run) or the kernel's boot id changed. */
  private async verify(r: PendingRestart, now: number): Promise<void> {
    const flag = join(this.env.root, 'var/run/reboot-required');
    const flagGone = await access(flag).then(
      () => false,
      () => true,
    );
    const bootId = await this.env.bootId();
    const newBoot = r.bootId !== undefined && bootId !== undefined && bootId !== r.bootId;
    if (!flagGone && !newBoot) {
      if (now - (r.restartedAtMs ?? now) > RESTART_VERIFY_MS)
        await this.failed(
          r,
          'the machine did not restart within 30 minutes of the restart command',
        );
      return;
    }
    const evidence = newBoot ? 'a new boot' : 'no restart is required any more';
    await this.message(statusMessage('UPDATE_RESTART_VERIFIED', [r.name, evidence], this.attrs(r)));
    await this.env.scan().catch((err: unknown) => {
      this.env.log.warn(`update scan after the restart failed: ${errorMessage(err)}`);
    });
    await this.env.state({
      deploymentId: r.deploymentId,
      revision: r.revision,
      state: 'succeeded',
      runId: r.runId,
      exitCode: 0,
      outputTail: `${r.summary}; restarted (${evidence})`,
      // The machine restarted: nothing the install left (reboot or services) is pending now.
      restart: { reboot: false, services: [], packages: [], source: 'reboot-required' },
    });
    await this.env.store.remove(r.deploymentId);
  }
}
