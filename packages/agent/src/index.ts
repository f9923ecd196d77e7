export { Agent, type AgentOptions } from './agent.js';
export {
  collectInventory,
  type CollectOptions,
  type CollectedInventory,
  type CollectorFailure,
} from './inventory/collect.js';
export { buildInventoryReport, classHash } from './inventory/inventory-report.js';
export { runInventoryCycle } from './inventory/inventory-runner.js';
export { Outbox, OutboxFullError, type OutboxOptions } from './outbox/outbox.js';
export { statusMessage } from './outbox/status-message.js';
export { collectorsFor, registerPlatformCollectors } from './collectors/registry.js';
export type {
  ClassCollector,
  CollectContext,
  PackageSource,
  PlatformCollectors,
} from './collectors/types.js';
export { collectCustomClass } from './collectors/custom/custom-class.js';
export { decideMachineType, type MachineSignals } from './collectors/linux/machine-type.js';
export { DEFAULT_CLIENT_SETTINGS, verifySignedPolicy } from './channel/policy.js';
export { enrolDevice } from './channel/enroll.js';
export { Backoff } from './channel/backoff.js';
export { runCli } from './commands/cli-main.js';
export { AgentError, DeviceRejectedError, ExitCode } from './errors.js';
export { AGENT_VERSION } from './version.js';
export {
  aptInstall,
  installedVersions,
  type AptFailure,
  type AptInstallRequest,
  type AptInstallResult,
} from './updates/install/apt-install.js';
export { detectRestartNeed, predictRestartNeed } from './updates/restart/restart-detect.js';
