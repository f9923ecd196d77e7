import { join } from 'node:path';
import type { ClientSettings, StatusMessageBody } from '@steward/protocol';
import type { HttpsClient } from '../channel/https-client.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { DeviceFile } from '../state/device-file.js';
import { ContentManager } from './content/content-manager.js';
import type { ReportSink } from './deployment-reporter.js';
import { SoftwareService } from './deployment-service.js';
import { Executor } from './executor/executor.js';
import { DesktopNotifier } from './notify.js';
import { UpdateAwareExecutor, type UpdateRunEnv } from '../updates/deploy/update-executor.js';
import { readBootId, RestartCoordinator } from '../updates/restart/restart-coordinator.js';
import { RestartStore } from '../updates/restart/restart-store.js';
import { TaskSequenceDeployments } from '../task-sequence/deployments.js';
import { machineFacts } from '../task-sequence/facts.js';
import { ProgramInstaller } from '../task-sequence/software-step.js';

export interface SoftwareWiring {
  stateDir: string;
  device: DeviceFile;
  http: HttpsClient;
  sink: ReportSink;
  log: Logger;
  report: (m: StatusMessageBody) => Promise<void>;
  requestTick: () => void;
  requestFlush: () => void;
  /** The agent service (not `run --once`) listens for the Software Center. */
  center: boolean;
  clock: Clock;
  /** How update deployments install and restart on this machine (ADR 0056, 0071). */
  updates: Pick<UpdateRunEnv, 'root' | 'scan' | 'role'> & {
    /** The machine's custom-update rule probes (ADR 0083). */
    probes: UpdateRunEnv['custom']['probes'];
    /** The restart command (argv) as the current policy has it. */
    rebootCommand: () => readonly string[];
  };
}

/**
 * Builds software distribution for the agent (ADR 0007): content manager, executor and the
 * deployment service, on the agent's injected clock. Runs left by a
 * previous agent process are reported before this resolves. `close` releases connections and
 * stops watching runs (the programs keep running; the next start picks them up).
 */
export async function openSoftware(w: SoftwareWiring): Promise<{
  service: SoftwareService;
  /** Applies the policy's content settings (download throttle, cache bound). */
  applySettings: (s: ClientSettings) => void;
  close: () => Promise<void>;
}> {
  const { stateDir, log, clock } = w;
  const content = new ContentManager({
    stateDir,
    http: w.http,
    caPem: w.device.caPem,
    clock,
    log,
    // Download messages (CONTENT_DOWNLOADING and the other CONTENT_*) reach the site now, not with the next inventory.
    report: async (m) => {
      await w.report(m);
      w.requestFlush();
    },
  });
  const executor = new Executor({ stateDir, clock, log });
  // Bound once the service exists: runs start only after that.
  const bound: { service?: SoftwareService } = {};
  const notifier = new DesktopNotifier(log);
  const report = async (m: StatusMessageBody) => {
    await w.report(m);
    w.requestFlush();
  };
  const restarts = new RestartCoordinator({
    store: await RestartStore.open(stateDir, log),
    root: w.updates.root,
    clock,
    log,
    windows: () => bound.service?.maintenanceWindows() ?? [],
    currentOptions: (deploymentId) => {
      const install = bound.service?.updateInstallOf(deploymentId);
      return install === undefined
        ? undefined
        : { suppressedRestartDeadlineMinutes: install.suppressedRestartDeadlineMinutes };
    },
    rebootCommand: w.updates.rebootCommand,
    report,
    state: async (fields) => {
      await w.sink.enqueueDeploymentState({ ...fields, at: clock.now().toISOString() });
      w.requestFlush();
    },
    notify: (title, body) => notifier.notify(title, body),
    scan: w.updates.scan,
    bootId: readBootId,
  });
  const updating = new UpdateAwareExecutor(executor, {
    root: w.updates.root,
    scan: w.updates.scan,
    role: w.updates.role,
    restarts,
    lookup: (id) => bound.service?.deployment(id),
    windows: () => bound.service?.maintenanceWindows() ?? [],
    report,
    clock,
    log,
    custom: {
      program: (id) => bound.service?.program(id),
      content,
      probes: w.updates.probes,
    },
  });
  // Install-software steps run programs with the same content manager and executor class as
  // software deployments; the executor's runs live apart so neither recovery takes the other's.
  const tsExecutor = new Executor({
    stateDir: join(stateDir, 'task-sequence', 'software'),
    clock,
    log,
  });
  const installer = new ProgramInstaller({
    program: (id) => bound.service?.program(id),
    content,
    executor: tsExecutor,
    log,
  });
  const taskSequences = await TaskSequenceDeployments.open({
    installer,
    facts: () => machineFacts({ log }),
    stateDir,
    clock,
    log,
    report,
    rebootCommand: w.updates.rebootCommand,
    windows: () => bound.service?.maintenanceWindows() ?? [],
    changed: w.requestTick,
    bootImage: {
      root: w.updates.root,
      http: w.http,
      caPem: w.device.caPem,
      siteUrl: w.device.url,
      deviceId: w.device.deviceId,
    },
  });
  const service = await SoftwareService.open({
    taskSequences,
    stateDir,
    device: w.device,
    http: w.http,
    sink: w.sink,
    content,
    executor: updating,
    notifier,
    restarts,
    clock,
    log,
    requestTick: w.requestTick,
    requestFlush: w.requestFlush,
  });
  bound.service = service;
  await service.start({ center: w.center });
  return {
    service,
    applySettings: (s) =>
      content.applyLimits({
        ...(s.contentDownloadKbps === undefined
          ? {}
          : { rateLimitBytesPerSec: s.contentDownloadKbps * 1024 }),
        ...(s.contentCacheMb === undefined ? {} : { maxCacheBytes: s.contentCacheMb * 1048576 }),
      }),
    close: async () => {
      await service.stop();
      executor.close();
      tsExecutor.close();
      content.close();
    },
  };
}
