import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  canonicalJson,
  REQUEST_ID_ATTRIBUTE,
  type ClientSettings,
  type NudgeAction,
  type PolicyDocument,
  type StatusMessageBody,
  type UpdateScanKind,
  type RuleProbes,
} from '@steward/protocol';
import { Backoff } from './channel/backoff.js';
import { sendHeartbeat } from './channel/heartbeat.js';
import { HttpsClient } from './channel/https-client.js';
import {
  DEFAULT_CLIENT_SETTINGS,
  fetchSignedPolicy,
  olderPolicy,
  verifySignedPolicy,
} from './channel/policy.js';
import { PushClient } from './channel/push-client.js';
import { flushOutbox, type FlushSafety } from './channel/reports.js';
import { AgentError, DeviceRejectedError, errorMessage, ExitCode } from './errors.js';
import { requireFullInventory, runInventoryCycle } from './inventory/inventory-runner.js';
import type { CollectedInventory, CollectOptions } from './inventory/collect.js';
import { inventoryTiming } from './inventory/inventory-schedule.js';
import { readInventoryState } from './inventory/inventory-state.js';
import { systemClock, type Clock } from './clock.js';
import { stderrLogger, type Logger } from './logger.js';
import { DeadLetterFile } from './outbox/dead-letter.js';
import { Outbox } from './outbox/outbox.js';
import { PoisonGuard } from './outbox/poison-guard.js';
import { statusMessage } from './outbox/status-message.js';
import { JobQueue, type Job } from './scheduler.js';
import { DEPLOYMENT_TICK_MS, type SoftwareService } from './software/deployment-service.js';
import { openSoftware } from './software/software-wiring.js';
import { readAgentState } from './state/agent-state.js';
import { ContactTracker } from './state/contact-tracker.js';
import { deviceAuthHeaders, requireDeviceFile, type DeviceFile } from './state/device-file.js';
import { loadPolicy, savePolicy } from './state/policy-file.js';
import { acquireStateLock } from './state/state-lock.js';
import { statePaths } from './state/state-dir.js';
import { AGENT_VERSION } from './version.js';
import { checkSettings, type CheckEnvironment } from './health/checks.js';
import { clientCheckDelayMs, runAndReportClientCheck } from './health/client-check-runner.js';
import { AgentUpgrader } from './upgrade/agent-upgrader.js';
import { recordScanTime, runUpdateScan, updateScanDelayMs } from './updates/scan/scan-runner.js';
import { installedPackages, type ScanEnvironment } from './updates/scan/scan.js';
import { machineProbes } from './updates/custom/probes.js';
import { findExecutable } from './collectors/system.js';
import { join } from 'node:path';
import { deviceRole, rebootArgv } from './updates/deploy/role.js';

export interface AgentOptions {
  stateDir: string;
  /** One cycle (policy, inventory, heartbeat, flush), then exit. */
  once?: boolean;
  /** First inventory is a full report. */
  full?: boolean;
  log?: Logger;
  /** The system clock unless the entry point injects another (a test's, ADR 0013). */
  clock?: Clock;
  /**
   * Collect inventory in a short-lived child process (the service does, ADR 0021): the
   * collectors' allocations leave with it. Falls back to this process when the child fails.
   */
  collectInChildProcess?: boolean;
  /** dpkg's admin directory the update scan reads (a sandbox's in tests). */
  dpkgAdmindir?: string;
  /**
   * The system updates are installed into: '/' by default; a sandbox root in tests (its dpkg
   * database is then also what the update scan reads).
   */
  systemRoot?: string;
  /** The restart command of update deployments (argv); tests give a harmless one. */
  rebootCommand?: string[];
}

/**
 * The agent service loop behind `steward-agent run`. Timers come from the policy's client
 * settings (defaults until the first policy), nudges from the push channel; both feed one job
 * queue so work never overlaps. Everything reported goes through the outbox first.
 */
export class Agent {
  private readonly log: Logger;
  private readonly jobs = new JobQueue();
  private readonly retry = new Backoff();
  private readonly heldBack = new Backoff();
  private readonly startedAt = new Date();
  private device: DeviceFile | undefined;
  private outboxRef: Outbox | undefined;
  private flushSafety: FlushSafety | undefined;
  private httpRef: HttpsClient | undefined;
  private push: PushClient | undefined;
  private policy: PolicyDocument | undefined;
  private stopReason: string | undefined;
  private fatal: DeviceRejectedError | undefined;
  private contact: ContactTracker | undefined;
  private software: SoftwareService | undefined;
  private closeSoftware: (() => Promise<void>) | undefined;
  private applyContentSettings: ((s: ClientSettings) => void) | undefined;
  private upgrader: AgentUpgrader | undefined;
  /** Why the next clientCheck job runs (a schedule unless the command asked). */
  private checkTrigger: 'schedule' | 'command' = 'schedule';

  constructor(private readonly options: AgentOptions) {
    this.log = options.log ?? stderrLogger();
  }

  private get settings(): ClientSettings {
    return this.policy?.settings ?? DEFAULT_CLIENT_SETTINGS;
  }

  private get outbox(): Outbox {
    if (this.outboxRef === undefined) throw new Error('agent not started');
    return this.outboxRef;
  }

  private get http(): HttpsClient {
    if (this.httpRef === undefined) throw new Error('agent not started');
    return this.httpRef;
  }

  /** Runs the client check now (`steward-agent check` signals the service with SIGUSR2). */
  /** The test clock moved (ADR 0013): deployments are evaluated now, against the new time. */
  clockMoved(): void {
    this.jobs.push({ kind: 'deployments' });
  }

  requestClientCheck(): void {
    this.checkTrigger = 'command';
    this.jobs.push({ kind: 'clientCheck' });
  }

  /** Asks the loop to stop after the current job (SIGINT/SIGTERM). */
  stop(reason: string): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.jobs.close();
  }

  /** Runs until stopped; resolves to the process exit code. */
  async run(): Promise<number> {
    const { stateDir } = this.options;
    // Not enrolled is the clearer error, so the identity is read before the lock is taken.
    const device = await requireDeviceFile(stateDir);
    const release = await acquireStateLock(statePaths(stateDir).lock);
    try {
      this.device = device;
      this.outboxRef = await Outbox.open({
        dir: statePaths(stateDir).outbox,
        warn: (m) => this.log.warn(m),
      });
      this.flushSafety = {
        deadLetters: new DeadLetterFile(statePaths(stateDir).deadLetter),
        guard: new PoisonGuard(),
        report: (m) => this.report(m),
        warn: (m) => this.log.warn(m),
      };
      this.httpRef = new HttpsClient({
        baseUrl: device.url,
        caPem: device.caPem,
        headers: deviceAuthHeaders(device),
      });
      this.contact = new ContactTracker(stateDir, this.log, await readAgentState(stateDir));
      this.policy = await loadPolicy(stateDir, device);
      await this.report(statusMessage('AGENT_STARTED', [AGENT_VERSION, hostname()]));
      const software = await openSoftware({
        stateDir,
        device,
        http: this.http,
        sink: this.outbox,
        log: this.log,
        report: (m) => this.report(m),
        requestTick: () => this.jobs.push({ kind: 'deployments' }),
        requestFlush: () => this.jobs.push({ kind: 'flush' }),
        center: this.options.once !== true,
        clock: this.options.clock ?? systemClock,
        updates: {
          root: this.options.systemRoot ?? '/',
          scan: () => this.updateScan('on-demand'),
          role: () => deviceRole(this.settings, this.options.systemRoot),
          probes: () => this.customProbes(),
          // The test hook wins; otherwise the client setting (ADR 0071), read at each restart.
          rebootCommand: () =>
            this.options.rebootCommand ?? rebootArgv(this.settings.rebootCommand),
        },
      });
      this.software = software.service;
      this.closeSoftware = software.close;
      this.applyContentSettings = software.applySettings;
      software.applySettings(this.settings);
      this.upgrader = new AgentUpgrader({
        stateDir,
        device,
        headers: deviceAuthHeaders(device),
        http: this.http,
        sink: this.outbox,
        log: this.log,
        now: () => this.now(),
        windows: () => software.service.maintenanceWindows(),
        flush: () => this.flush(),
      });
      this.log.info(
        `steward-agent ${AGENT_VERSION} started: device ${device.deviceId}, site ${device.siteCode}, ${device.url}`,
      );
      if (this.options.once === true) return await this.runOnce();
      return await this.runService(device);
    } catch (err) {
      if (err instanceof DeviceRejectedError) return this.rejected(err);
      throw err;
    } finally {
      await this.push?.stop();
      this.jobs.close();
      await this.closeSoftware?.();
      this.httpRef?.close();
      await release();
    }
  }

  private rejected(err: DeviceRejectedError): number {
    this.log.error(
      `the site refused this device (${err.code}: ${err.message}); stopping without retrying. Re-enrol with "steward-agent enroll --force".`,
    );
    return ExitCode.deviceRejected;
  }

  private async runOnce(): Promise<number> {
    await this.fetchPolicy().catch((err: unknown) => this.transient('policy fetch', err));
    // One evaluation; a run it starts is waited for so its outcome is delivered in this cycle.
    await this.software?.tick();
    await this.software?.idle();
    await this.inventory({
      full: this.options.full === true,
      includeSoftwareScan: (await this.timing()).softwareScanDue,
    });
    await sendHeartbeat(this.http, this.heartbeatBody()).then(
      () => this.contactOk(),
      (err: unknown) => this.transient('heartbeat', err),
    );
    await this.report(statusMessage('AGENT_STOPPING', ['single cycle complete']));
    // A resync asked in the acknowledgement is answered within the same cycle (once).
    for (let round = 0; round < 2; round++) {
      const resync = await this.flush();
      if (!resync) break;
      await this.inventory({ full: true });
    }
    if (this.fatal !== undefined) return this.rejected(this.fatal);
    if (this.outbox.depth > 0) {
      throw new AgentError(
        'OUTBOX_NOT_EMPTY',
        `${this.outbox.depth} items could not be delivered; they stay in the outbox`,
      );
    }
    return ExitCode.ok;
  }

  private async runService(device: DeviceFile): Promise<number> {
    this.push = new PushClient({
      baseUrl: device.url,
      caPem: device.caPem,
      headers: deviceAuthHeaders(device),
      log: (m) => this.log.info(m),
      onNudge: (action, requestId) => this.jobs.push({ kind: 'nudge', action, requestId }),
      onFatal: (err) => {
        this.fatal = err;
        this.jobs.close();
      },
      onConnected: () => this.jobs.push({ kind: 'flush' }),
    });
    this.push.start();
    this.jobs.push({ kind: 'policy' });
    this.jobs.push({ kind: 'flush' });
    this.jobs.push({ kind: 'heartbeat' });
    this.jobs.push({ kind: 'deployments' });
    await this.upgrader?.start();
    this.jobs.push({ kind: 'upgrade' });
    await this.scheduleInventory(this.options.full === true);
    await this.scheduleSoftwareScan();
    await this.scheduleClientCheck();
    await this.scheduleUpdateScan();

    for (let job = await this.jobs.take(); job !== undefined; job = await this.jobs.take()) {
      try {
        await this.execute(job);
      } catch (err) {
        if (err instanceof DeviceRejectedError) {
          this.fatal = err;
          break;
        }
        this.log.error(`${job.kind} failed: ${errorMessage(err)}`);
      }
    }
    if (this.fatal !== undefined) return this.rejected(this.fatal);
    await this.shutdown();
    return ExitCode.ok;
  }

  /** Graceful stop: AGENT_STOPPING goes into the outbox, one short delivery attempt, the rest stays on disk. */
  private async shutdown(): Promise<void> {
    const reason = this.stopReason ?? 'stopped';
    this.log.info(`stopping (${reason})`);
    await this.report(statusMessage('AGENT_STOPPING', [reason]));
    await this.push?.stop();
    const attempt = this.flush().catch(() => false);
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), 5_000).unref(),
    );
    await Promise.race([attempt, timeout]);
    this.log.info(`stopped; ${this.outbox.depth} items kept in the outbox`);
  }

  private async execute(job: Job): Promise<void> {
    switch (job.kind) {
      case 'policy':
        try {
          await this.fetchPolicy();
          this.jobs.schedule('policy', this.settings.policyIntervalSeconds * 1000);
          await this.upgrader?.contact('policy');
        } catch (err) {
          this.transient('policy fetch', err);
          this.jobs.schedule(
            'policy',
            Math.min(this.retry.next(), this.settings.policyIntervalSeconds * 1000),
          );
        }
        return;
      case 'heartbeat':
        this.jobs.schedule('heartbeat', this.settings.heartbeatIntervalSeconds * 1000);
        try {
          await sendHeartbeat(this.http, this.heartbeatBody());
          await this.contactOk();
          await this.upgrader?.contact('heartbeat');
        } catch (err) {
          this.transient('heartbeat', err);
        }
        return;
      case 'inventory':
        await this.inventory({});
        this.jobs.schedule('inventory', this.settings.inventoryIntervalSeconds * 1000);
        await this.flush();
        return;
      case 'softwareScan':
        await this.inventory({ softwareScanOnly: true });
        this.jobs.schedule('softwareScan', this.settings.softwareScanIntervalSeconds * 1000);
        await this.flush();
        return;
      case 'flush':
        await this.flush();
        return;
      case 'deployments':
        this.jobs.schedule('deployments', DEPLOYMENT_TICK_MS);
        await this.software?.tick();
        return;
      case 'nudge':
        await this.nudge(job.action, job.requestId);
        return;
      case 'upgrade': {
        const next = await this.upgrader?.evaluate(this.policy?.clientVersion);
        if (next !== undefined) this.jobs.schedule('upgrade', next);
        await this.flush();
        return;
      }
      case 'updateScan':
        await this.updateScan('scheduled');
        await this.flush();
        return;
      case 'clientCheck': {
        const trigger = this.checkTrigger;
        this.checkTrigger = 'schedule';
        await this.clientCheck(trigger);
        await this.scheduleClientCheck();
        await this.flush();
        return;
      }
    }
  }

  /** `replan`: a scan just ran; otherwise the plan held stays unless the settings changed. */
  private async scheduleUpdateScan(replan = false): Promise<void> {
    const s = checkSettings(this.settings);
    this.jobs.schedule(
      'updateScan',
      await updateScanDelayMs(
        this.options.stateDir,
        {
          intervalSeconds: s.updateScanIntervalSeconds,
          randomDelaySeconds: s.updateScanRandomDelaySeconds,
        },
        this.now(),
        { replan },
      ),
    );
  }

  private async scheduleClientCheck(): Promise<void> {
    const interval = checkSettings(this.settings).clientCheckIntervalSeconds;
    this.jobs.schedule(
      'clientCheck',
      await clientCheckDelayMs(this.options.stateDir, interval, this.now()),
    );
  }

  private now(): Date {
    return (this.options.clock ?? systemClock).now();
  }

  /** The client check (the ccmeval analog) from inside the service, reported through the outbox. */
  private async clientCheck(trigger: 'schedule' | 'nudge' | 'command'): Promise<void> {
    const env: CheckEnvironment = {
      stateDir: this.options.stateDir,
      settings: this.settings,
      now: () => this.now(),
      outbox: { depth: this.outbox.depth, firstSeq: this.outbox.firstSeq },
      siteClock: async () => {
        // A fresh answer: the heartbeat doubles as the clock reading.
        await sendHeartbeat(this.http, this.heartbeatBody());
        await this.contactOk();
        return this.http.lastSiteClock;
      },
      inService: true,
      serviceRunning: () => Promise.resolve(true),
      fetchPolicyNow: () => this.fetchPolicy(),
      runInventoryNow: () => this.inventory({}),
    };
    const report = await runAndReportClientCheck(env, this.outbox, trigger);
    const failed = report.results.filter((r) => r.outcome === 'failed').map((r) => r.check);
    const fixed = report.results.filter((r) => r.outcome === 'remediated').map((r) => r.check);
    this.log.info(
      `client check (${trigger}, ${report.mode}): ${report.results.length - failed.length - fixed.length} passed` +
        (fixed.length > 0 ? `, remediated ${fixed.join(', ')}` : '') +
        (failed.length > 0 ? `, failed ${failed.join(', ')}` : ''),
    );
  }

  /** Scans dpkg's database against the site's update catalog and reports it (issue 10). */
  /** How scans and custom-update rules read this machine (or the test's sandbox root). */
  private async scanEnvironment(): Promise<ScanEnvironment> {
    const aptCache = await findExecutable('apt-cache');
    const aptConfig = await findExecutable('apt-config');
    const admindir =
      this.options.dpkgAdmindir ??
      (this.options.systemRoot !== undefined
        ? join(this.options.systemRoot, 'var/lib/dpkg')
        : undefined);
    return {
      dpkgQuery: (await findExecutable('dpkg-query')) ?? 'dpkg-query',
      ...(admindir !== undefined ? { admindir } : {}),
      ...(aptCache !== undefined ? { aptCache } : {}),
      ...(aptConfig !== undefined ? { aptConfig } : {}),
    };
  }

  /** Custom updates' rule probes as a scan builds them (ADR 0083: before and after installs). */
  private async customProbes(): Promise<RuleProbes> {
    const { packages } = await installedPackages(await this.scanEnvironment());
    return machineProbes({
      installed: packages,
      ...(this.options.systemRoot !== undefined ? { root: this.options.systemRoot } : {}),
    });
  }

  private async updateScan(kind: UpdateScanKind): Promise<void> {
    const report = await runUpdateScan({
      http: this.http,
      stateDir: this.options.stateDir,
      env: await this.scanEnvironment(),
      ...(this.options.systemRoot !== undefined ? { customRoot: this.options.systemRoot } : {}),
      kind,
      now: () => this.now(),
      enqueue: (r) => this.outbox.enqueueUpdateScan(r),
    });
    await recordScanTime(this.options.stateDir, report.finishedAt);
    await this.scheduleUpdateScan(true);
    this.log.info(
      report.error !== undefined
        ? `update scan (${kind}) failed: ${report.error}`
        : `update scan (${kind}) against catalog ${report.catalogVersion}: ${report.results.filter((r) => r.state === 'required').length} required`,
    );
  }

  private async nudge(action: NudgeAction, requestId: string): Promise<void> {
    const attributes = { [REQUEST_ID_ATTRIBUTE]: requestId };
    this.log.info(`nudge ${action} (${requestId})`);
    await this.report(statusMessage('NUDGE_RECEIVED', [action], attributes));
    let result = 'ok';
    try {
      switch (action) {
        case 'policy:fetch':
          await this.fetchPolicy();
          break;
        case 'inventory:collect':
          await this.inventory({ requestId });
          break;
        case 'deployments:evaluate':
          await this.software?.refreshAssignments();
          await this.software?.tick();
          break;
        case 'client-check:run':
          await this.clientCheck('nudge');
          await this.scheduleClientCheck();
          break;
        case 'updates:scan':
          await this.updateScan('on-demand');
          break;
        case 'updates:scan-expedited':
          // The seed's expedited scan: the scan and a full inventory at once.
          await this.updateScan('expedited');
          await this.inventory({ requestId, full: true });
          break;
        case 'agent:upgrade':
          // The latest target first; the upgrade itself runs as its own job, after this one.
          await this.fetchPolicy();
          this.upgrader?.requestNow();
          this.jobs.push({ kind: 'upgrade' });
          break;
      }
    } catch (err) {
      if (err instanceof DeviceRejectedError) throw err;
      result = `failed: ${errorMessage(err)}`;
      this.log.warn(`nudge ${action} failed: ${errorMessage(err)}`);
    }
    await this.report(statusMessage('NUDGE_COMPLETED', [action], { ...attributes, result }));
    await this.flush();
  }

  /** Fetches, verifies and applies the policy. Refusals raise POLICY_REFUSED and keep the previous policy. */
  private async fetchPolicy(): Promise<void> {
    const device = this.device;
    if (device === undefined) return;
    const signed = await fetchSignedPolicy(this.http);
    this.contact?.policyFetched();
    await this.contactOk();
    // Assignments travel with every policy fetch; failures there keep the last ones (offline).
    await this.software?.refreshAssignments();
    const check = verifySignedPolicy(signed, device.policySigningKey, device.siteCode);
    if (!check.ok) {
      this.log.error(
        `policy refused: ${check.reason}; keeping version ${this.policy?.version ?? 'none'}`,
      );
      await this.report(statusMessage('POLICY_REFUSED', [check.reason]));
      return;
    }
    if (this.policy?.version === check.policy.version) {
      // The same policy, but its cache file is gone (the client check dropped a corrupt one).
      if (!existsSync(statePaths(this.options.stateDir).policy))
        await savePolicy(this.options.stateDir, check.signed);
      return;
    }
    const older = olderPolicy(this.policy, check.policy);
    if (older !== undefined) {
      this.log.error(older.reason);
      await this.report(statusMessage('POLICY_REPLAY_REFUSED', older.insertionStrings));
      return;
    }
    const previous = this.policy;
    await savePolicy(this.options.stateDir, check.signed);
    this.policy = check.policy;
    this.applyContentSettings?.(this.settings);
    this.log.info(`policy version ${check.policy.version} applied`);
    await this.report(statusMessage('POLICY_APPLIED', [String(check.policy.version)]));
    await this.policyChanged(previous);
  }

  /** New settings take effect at once; changed custom classes are collected right away. */
  private async policyChanged(previous: PolicyDocument | undefined): Promise<void> {
    if (this.options.once === true) return;
    this.jobs.schedule('heartbeat', this.settings.heartbeatIntervalSeconds * 1000);
    const classesChanged =
      canonicalJson(previous?.inventoryClasses ?? []) !==
      canonicalJson(this.policy?.inventoryClasses ?? []);
    if (classesChanged) this.jobs.push({ kind: 'inventory' });
    else await this.scheduleInventory(false);
    await this.scheduleSoftwareScan();
    await this.scheduleClientCheck();
    await this.scheduleUpdateScan();
    // A new client-version target (or none any more) is looked at now.
    this.jobs.push({ kind: 'upgrade' });
  }

  private async timing(forceInventory = false) {
    const state = await readInventoryState(this.options.stateDir);
    const fullPending = forceInventory || this.outbox.fullInventoryRequired;
    return inventoryTiming(state, this.settings, fullPending);
  }

  private async scheduleInventory(forceNow: boolean): Promise<void> {
    this.jobs.schedule('inventory', (await this.timing(forceNow)).inventoryDelayMs);
  }

  private async scheduleSoftwareScan(): Promise<void> {
    this.jobs.schedule('softwareScan', (await this.timing()).softwareScanDelayMs);
  }

  private async inventory(request: Parameters<typeof runInventoryCycle>[1]): Promise<void> {
    const result = await runInventoryCycle(
      {
        stateDir: this.options.stateDir,
        outbox: this.outbox,
        settings: this.settings,
        customClasses: this.policy?.inventoryClasses ?? [],
        startedAt: this.startedAt,
        ...(this.options.collectInChildProcess === true
          ? { collect: (o: CollectOptions) => this.collectInChild(o) }
          : {}),
      },
      request,
    );
    this.log.info(
      `inventory ${result.kind}: ${result.changedClasses.length} classes changed, ${result.packageCount} packages` +
        (result.softwareFiles === undefined ? '' : `, ${result.softwareFiles} software files`),
    );
  }

  private async collectInChild(options: CollectOptions): Promise<CollectedInventory> {
    try {
      const { collectInChildProcess } = await import('./inventory/collect-process.js');
      const { inventory, stats } = await collectInChildProcess(options);
      this.log.info(
        `inventory collected in a child process: ${stats.collectMs} ms collecting, ${stats.wallMs} ms in all, peak RSS ${stats.peakRssMb} MB`,
      );
      return inventory;
    } catch (err) {
      this.log.warn(
        `inventory collection process failed (${errorMessage(err)}); collecting in the agent process`,
      );
      const { collectInventory } = await import('./inventory/collect.js');
      return collectInventory(options);
    }
  }

  /**
   * Delivers the outbox. Returns whether the site asked for an inventory resync (already
   * scheduled). An unreachable site schedules a retry with backoff; nothing is lost.
   */
  private async flush(): Promise<boolean> {
    try {
      const batch = this.settings.reportBatchSize;
      const safety = this.flushSafety;
      if (safety === undefined) throw new Error('agent not started');
      const result = await flushOutbox(this.http, this.outbox, batch, safety);
      await this.contactOk();
      if (this.outbox.depth > 0) {
        // Raised meanwhile (SITE_UNREACHABLE), or the site held back its acknowledgement: once more.
        const again = await flushOutbox(this.http, this.outbox, batch, safety);
        result.inventoryResync ||= again.inventoryResync;
      }
      if (this.outbox.depth === 0) this.heldBack.reset();
      else if (this.options.once !== true) {
        // Its own backoff: the requests succeed, so the contact backoff was just reset.
        this.log.warn(`${this.outbox.depth} items not acknowledged yet; retrying later`);
        this.jobs.schedule('flush', this.heldBack.next());
      }
      if (result.inventoryResync) {
        this.log.warn('the site asked for a full inventory');
        await requireFullInventory(this.options.stateDir, 'requested by the site');
        await this.report(
          statusMessage('INVENTORY_RESYNC_REQUESTED', [
            'the site could not apply an inventory delta',
          ]),
        );
        if (this.options.once !== true) this.jobs.push({ kind: 'inventory' });
      }
      return result.inventoryResync;
    } catch (err) {
      if (err instanceof DeviceRejectedError) {
        this.fatal = err;
        this.jobs.close();
        if (this.options.once === true) throw err;
        return false;
      }
      this.transient('report delivery', err);
      if (this.options.once === true) throw err;
      this.jobs.schedule('flush', this.retry.next());
      return false;
    }
  }

  private heartbeatBody() {
    const body: { agentVersion: string; policyVersion?: number } = { agentVersion: AGENT_VERSION };
    if (this.policy !== undefined) body.policyVersion = this.policy.version;
    return body;
  }

  private async report(message: StatusMessageBody): Promise<void> {
    try {
      await this.outbox.enqueueStatus(message);
    } catch (err) {
      this.log.error(`status ${message.messageId} not recorded: ${errorMessage(err)}`);
    }
  }

  private async contactOk(): Promise<void> {
    this.retry.reset();
    const outage = await this.contact?.succeeded();
    if (outage !== undefined)
      await this.report(statusMessage('SITE_UNREACHABLE', [String(outage)]));
  }

  private transient(what: string, err: unknown): void {
    if (this.contact === undefined) throw err;
    this.contact.failed(what, err);
  }
}
