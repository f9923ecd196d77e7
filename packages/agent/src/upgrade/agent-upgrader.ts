import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AgentUpgradeReport,
  AgentUpgradeState,
  ClientVersionPackage,
  ClientVersionTarget,
  StatusMessageBody,
  WindowSpec,
} from '@steward/protocol';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { statusMessage } from '../outbox/status-message.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';
import { AGENT_VERSION } from '../version.js';
import {
  debVersionOf,
  detectDebInstall,
  prepareDebUpgrade,
  type DebInstall,
} from './deb-upgrade.js';
import { downloadPackage } from './package-download.js';
import { downloadUpgradePackage } from './upgrade-source.js';
import type { HttpsClient } from '../channel/https-client.js';
import { readInstallRecord, type InstallRecord } from './install-record.js';
import {
  installedLibDir,
  pickPackages,
  startHelper,
  unpack,
  type UpgradeFailure,
} from './upgrade-install.js';
import { fitWindow, upgradeTime } from './upgrade-schedule.js';
import {
  parseHelperResult,
  readUpgradeState,
  upgradePaths,
  writeUpgradeState,
  type UpgradeAttempt,
  type UpgradeStateFile,
} from './upgrade-state.js';

/** While upgrade-agent.sh works, how often the agent looks for its result. */
const HELPER_POLL_MS = 2_000;
/** A hand-over with no result after this long: the helper died (a reboot mid-upgrade). */
const HELPER_LOST_MS = 60 * 60_000;

export interface UpgradeSink {
  enqueueAgentUpgrade(body: AgentUpgradeReport): Promise<number>;
  enqueueStatus(body: StatusMessageBody): Promise<number>;
}

export interface AgentUpgraderOptions {
  stateDir: string;
  device: { url: string; caPem: string };
  headers: Record<string, string>;
  /** The device's client of the agent API: where to download from (ADR 0042). */
  http: HttpsClient;
  sink: UpgradeSink;
  log: Logger;
  now: () => Date;
  /** The device's maintenance windows (from software distribution's signed assignments). */
  windows: () => readonly WindowSpec[];
  /** Delivers the outbox now: the site hears "installing" before this process is replaced. */
  flush: () => Promise<unknown>;
  /** Where the running agent was installed from (its bundle's or executable's folder). */
  libDir?: string;
  random?: () => number;
}

type Failure = UpgradeFailure;
type TarballInstall = { kind: 'tarball'; record: InstallRecord; libDir: string };

/**
 * The agent side of client-version upgrades (ADR 0027). Follows the client-version target of the
 * signed policy: schedules the upgrade at a random time within the upgrade window (inside
 * maintenance windows), then downloads the package and verifies its size and SHA-256 against the
 * signed policy before anything is replaced, unpacks it beside the installed version, and hands
 * over to upgrade-agent.sh (detached, or a transient systemd unit), which installs it with the
 * new version's install-agent.sh, watches the new version report in and otherwise reinstalls the
 * previous one. Whichever version runs afterwards reports the result from the helper's file.
 */
export class AgentUpgrader {
  private forceNext = false;
  private contacts = { policy: false, heartbeat: false };
  private readonly random: () => number;

  constructor(private readonly o: AgentUpgraderOptions) {
    this.random = o.random ?? Math.random;
  }

  /** "Upgrade now" (the `agent:upgrade` nudge): no random delay and no maintenance window. */
  requestNow(): void {
    this.forceNext = true;
  }

  /** At start: a version started by upgrade-agent.sh says it is being verified. */
  async start(): Promise<void> {
    const s = await readUpgradeState(this.o.stateDir);
    const a = s.attempt;
    if (a?.toVersion !== AGENT_VERSION || a.state === 'verifying') return;
    if ((await readFileIfExists(upgradePaths(this.o.stateDir).result(a.id))) !== undefined) return;
    a.state = 'verifying';
    await this.save(s);
    await this.report(a, 'verifying', null);
  }

  /**
   * A successful policy fetch or heartbeat. Once this process has had both while an attempt
   * towards its version is in flight, it tells upgrade-agent.sh it reported in.
   */
  async contact(kind: 'policy' | 'heartbeat'): Promise<void> {
    if (this.contacts.policy && this.contacts.heartbeat) return;
    this.contacts[kind] = true;
    if (!(this.contacts.policy && this.contacts.heartbeat)) return;
    const a = (await readUpgradeState(this.o.stateDir)).attempt;
    if (a?.toVersion !== AGENT_VERSION) return;
    await writeFileAtomic(upgradePaths(this.o.stateDir).reportedIn, `${a.id} ${AGENT_VERSION}\n`);
    this.o.log.info(`upgrade ${a.id}: version ${AGENT_VERSION} reported in`);
  }

  /**
   * Follows the policy's target. Returns in how many ms it wants to be called again (a
   * scheduled time, or the helper's result to collect), or undefined when nothing is pending.
   */
  async evaluate(target: ClientVersionTarget | null | undefined): Promise<number | undefined> {
    const force = this.forceNext;
    this.forceNext = false;
    const s = await readUpgradeState(this.o.stateDir);
    const nowMs = this.o.now().getTime();
    const a = s.attempt;
    if (a !== undefined && (a.state === 'installing' || a.state === 'verifying'))
      return this.collect(s, a, nowMs);
    if (target === null || target === undefined || target.version === AGENT_VERSION) {
      if (a !== undefined) {
        // The target moved away before the upgrade started: nothing to do any more.
        delete s.attempt;
        await this.save(s);
      }
      return undefined;
    }
    let attempt = a?.toVersion === target.version ? a : undefined;
    if (attempt === undefined) {
      if (s.finished[target.version] !== undefined && !force) return undefined;
      attempt = await this.schedule(s, target, nowMs, force);
    } else if (force) {
      attempt.forced = true;
      attempt.scheduledFor = new Date(nowMs).toISOString();
      await this.save(s);
    }
    let dueMs = Date.parse(attempt.scheduledFor);
    if (!attempt.forced) dueMs = fitWindow(this.o.windows(), Math.max(dueMs, nowMs));
    if (dueMs > nowMs) return dueMs - nowMs;
    await this.upgrade(s, attempt, target);
    return (await readUpgradeState(this.o.stateDir)).attempt === undefined
      ? undefined
      : HELPER_POLL_MS;
  }

  private async schedule(
    s: UpgradeStateFile,
    target: ClientVersionTarget,
    nowMs: number,
    force: boolean,
  ): Promise<UpgradeAttempt> {
    const at = force
      ? nowMs
      : upgradeTime({
          nowMs,
          windowHours: target.upgradeWindowHours,
          windows: this.o.windows(),
          random: this.random(),
        });
    const attempt: UpgradeAttempt = {
      id: `${nowMs.toString(36)}-${randomBytes(4).toString('hex')}`,
      fromVersion: AGENT_VERSION,
      toVersion: target.version,
      rollout: target.rollout,
      scheduledFor: new Date(at).toISOString(),
      startedAt: new Date(nowMs).toISOString(),
      forced: force,
      state: 'scheduled',
    };
    s.attempt = attempt;
    await this.save(s);
    this.o.log.info(
      `upgrade ${attempt.id} to ${target.version} scheduled for ${attempt.scheduledFor}`,
    );
    await this.report(attempt, 'scheduled', null);
    await this.o.sink.enqueueStatus(
      statusMessage('AGENT_UPGRADE_SCHEDULED', [
        AGENT_VERSION,
        target.version,
        target.rollout,
        attempt.scheduledFor,
      ]),
    );
    return attempt;
  }

  /**
   * Download, verify and stage the new version beside the installed one, then hand over to the
   * helper: upgrade-agent.sh for a tarball install, upgrade-deb.sh for the .deb (ADR 0036).
   */
  private async upgrade(
    s: UpgradeStateFile,
    a: UpgradeAttempt,
    target: ClientVersionTarget,
  ): Promise<void> {
    const dir = upgradePaths(this.o.stateDir).attemptDir(a.id);
    try {
      const install = await this.installKind();
      if ('code' in install) {
        await this.fail(s, a, install);
        return;
      }
      a.state = 'downloading';
      await this.save(s);
      await this.report(a, 'downloading', null);
      await rm(dir, { recursive: true, force: true });
      await mkdir(join(dir, 'new'), { recursive: true, mode: 0o700 });
      const ready =
        install.kind === 'deb'
          ? await prepareDebUpgrade({
              install,
              target,
              running: AGENT_VERSION,
              stateDir: this.o.stateDir,
              attemptId: a.id,
              attemptDir: dir,
              download: (pkg, dest) =>
                this.download(pkg, dest, debVersionOf(pkg.name) ?? target.version),
            })
          : await this.prepareTarball(install, target, a, dir);
      if ('code' in ready) {
        await this.fail(s, a, ready);
        return;
      }
      a.state = 'installing';
      a.handedOverAt = this.o.now().toISOString();
      await this.save(s);
      await this.report(a, 'installing', null);
      await this.o.flush().catch(() => undefined);
      this.o.log.info(`upgrade ${a.id}: handing over to the ${install.kind} upgrade helper`);
      await ready.start();
    } catch (err) {
      await this.fail(s, a, {
        code: 'AGENT_UPGRADE_INSTALL_FAILED',
        reason: `could not prepare the upgrade: ${errorMessage(err)}`,
      });
    }
  }

  /** From the DPs the site names (ADR 0042), else the site's install route when allowed. */
  private download(pkg: ClientVersionPackage, dest: string, version: string) {
    return downloadUpgradePackage({
      http: this.o.http,
      caPem: this.o.device.caPem,
      pkg,
      dest,
      version,
      report: (m) => this.o.sink.enqueueStatus(m),
      fromSite: () =>
        downloadPackage({
          baseUrl: this.o.device.url,
          caPem: this.o.device.caPem,
          headers: this.o.headers,
          pkg,
          dest,
        }),
    });
  }

  /** The tarball (and single executable) downloaded, verified and unpacked into `<dir>/new`. */
  private async prepareTarball(
    install: TarballInstall,
    target: ClientVersionTarget,
    a: UpgradeAttempt,
    dir: string,
  ): Promise<{ start: () => Promise<void> } | Failure> {
    const picked = pickPackages(target, install.record.runtime);
    if ('code' in picked) return picked;
    for (const pkg of picked) {
      const got = await this.download(pkg, join(dir, pkg.name), target.version);
      if (!got.ok) return got;
    }
    const unpacked = await unpack(dir, picked, target.version);
    if (unpacked !== undefined) return unpacked;
    return {
      start: () =>
        startHelper({
          attemptId: a.id,
          toVersion: a.toVersion,
          libDir: install.libDir,
          service: install.record.service,
          attemptDir: dir,
          reportInSeconds: target.reportInSeconds,
        }),
    };
  }

  /** How the running agent was installed: install-agent.sh (install.conf), or the .deb. */
  private async installKind(): Promise<TarballInstall | DebInstall | Failure> {
    const libDir = this.o.libDir ?? installedLibDir();
    const record = libDir === undefined ? undefined : await readInstallRecord(libDir);
    if (libDir !== undefined && record !== undefined) return { kind: 'tarball', record, libDir };
    const deb = libDir === undefined ? undefined : await detectDebInstall(libDir);
    if (deb !== undefined) return deb;
    return {
      code: 'AGENT_UPGRADE_UNSUPPORTED_INSTALL',
      reason: 'this agent was installed neither by install-agent.sh nor from the .deb',
    };
  }

  /** The helper's result once it is there; a final report from whichever version runs now. */
  private async collect(
    s: UpgradeStateFile,
    a: UpgradeAttempt,
    nowMs: number,
  ): Promise<number | undefined> {
    const paths = upgradePaths(this.o.stateDir);
    const text = await readFileIfExists(paths.result(a.id));
    const result = text === undefined ? undefined : parseHelperResult(text);
    if (result === undefined) {
      const since = Date.parse(a.handedOverAt ?? a.scheduledFor);
      if (nowMs - since < HELPER_LOST_MS) return HELPER_POLL_MS;
      const arrived = AGENT_VERSION === a.toVersion;
      return this.finish(s, a, {
        state: arrived ? 'succeeded' : 'rolled-back',
        code: arrived ? null : 'AGENT_UPGRADE_INSTALL_FAILED',
        reason: arrived ? null : `upgrade-agent.sh left no result; version ${AGENT_VERSION} runs`,
        finishedAt: new Date(nowMs).toISOString(),
      });
    }
    return this.finish(s, a, result);
  }

  private async finish(
    s: UpgradeStateFile,
    a: UpgradeAttempt,
    r: { state: AgentUpgradeState; code: string | null; reason: string | null; finishedAt: string },
  ): Promise<undefined> {
    await this.report(a, r.state, { code: r.code, reason: r.reason, finishedAt: r.finishedAt });
    const reason = r.reason ?? '';
    if (r.state === 'succeeded')
      await this.o.sink.enqueueStatus(
        statusMessage('AGENT_UPGRADE_SUCCEEDED', [a.fromVersion, a.toVersion]),
      );
    else if (r.state === 'rolled-back')
      await this.o.sink.enqueueStatus(
        statusMessage('AGENT_UPGRADE_ROLLED_BACK', [a.fromVersion, a.toVersion, reason]),
      );
    else
      await this.o.sink.enqueueStatus(
        statusMessage('AGENT_UPGRADE_FAILED', [a.fromVersion, a.toVersion, reason]),
      );
    this.o.log.info(`upgrade ${a.id} to ${a.toVersion}: ${r.state}${reason ? `: ${reason}` : ''}`);
    s.finished[a.toVersion] = r.state;
    delete s.attempt;
    await this.save(s);
    await rm(upgradePaths(this.o.stateDir).reportedIn, { force: true });
    await this.prune(a.id);
    return undefined;
  }

  private fail(s: UpgradeStateFile, a: UpgradeAttempt, f: Failure): Promise<undefined> {
    return this.finish(s, a, {
      state: 'failed',
      code: f.code,
      reason: f.reason,
      finishedAt: this.o.now().toISOString(),
    });
  }

  /** Keeps the last attempt's folder (its previous version and helper log); older ones go. */
  private async prune(keep: string): Promise<void> {
    const root = upgradePaths(this.o.stateDir).root;
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const e of entries)
      if (e.isDirectory() && e.name !== keep)
        await rm(join(root, e.name), { recursive: true, force: true });
  }

  private async save(s: UpgradeStateFile): Promise<void> {
    await mkdir(upgradePaths(this.o.stateDir).root, { recursive: true, mode: 0o700 });
    await writeUpgradeState(this.o.stateDir, s);
  }

  private async report(
    a: UpgradeAttempt,
    state: AgentUpgradeState,
    end: { code: string | null; reason: string | null; finishedAt: string } | null,
  ): Promise<void> {
    await this.o.sink.enqueueAgentUpgrade({
      attemptId: a.id,
      fromVersion: a.fromVersion,
      toVersion: a.toVersion,
      rollout: a.rollout,
      state,
      scheduledFor: a.scheduledFor,
      startedAt: a.startedAt,
      updatedAt: this.o.now().toISOString(),
      finishedAt: end?.finishedAt ?? null,
      errorCode: end?.code ?? null,
      reason: end?.reason === null || end?.reason === undefined ? null : end.reason.slice(0, 1000),
    });
  }
}
