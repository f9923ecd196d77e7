export { checkFileLimit, openFileLimits, type FileLimitCheck } from './fd-limit.js';
export {
  FleetModel,
  trimPackages,
  type DeviceProfile,
  type FleetModelOptions,
  type ImageVariant,
} from './fleet-model.js';
export {
  fullInventoryBody,
  inventoryBatchJson,
  PackageJsonCache,
  statusBatchJson,
  statusMessageBody,
} from './payloads.js';
export { errorText, runPhase, timed, type OperationOutcome, type PhaseResult } from './phase.js';
export { PushChannels, type NudgeReceipt } from './push-channels.js';
export { Rng } from './rng.js';
export { runPool, Semaphore } from './semaphore.js';
export {
  fetchPinnedCa,
  HttpStatusError,
  pinnedTls,
  SiteConnection,
  type RawResponse,
} from './site-connection.js';
export { LatencyRecorder, percentile, type LatencySummary } from './stats.js';
export { formatTable } from './table.js';
export {
  collectLocalTemplate,
  loadTemplateFile,
  parseTemplate,
  resolveTemplate,
  type InventoryTemplate,
} from './template.js';
export {
  PolicyRefusedError,
  ReportNotAcknowledgedError,
  SIMULATOR_AGENT_VERSION,
  VirtualAgent,
  type DeviceCredentials,
} from './virtual-agent.js';
export {
  VirtualFleet,
  type InventoryPhaseDetail,
  type VirtualFleetOptions,
} from './virtual-fleet.js';
export { DeploymentClient, type DeploymentRunResult } from './deployment-client.js';
