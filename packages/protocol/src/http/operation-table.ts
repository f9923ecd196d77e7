import { taskSequenceDeploymentOperations } from '../task-sequences/deployment-operations.js';
import { dpPxeAgentOperations, dpPxeOperations } from '../pxe/operations.js';
import {
  dpMulticastAgentOperations,
  dpMulticastOperations,
  multicastClientOperations,
} from '../multicast/operations.js';
import {
  contentFileOperations,
  contentLocationOperations,
  deviceAgentOperations,
} from '../agent/operations.js';
import { agentInstallOperations } from '../agent-versions/install-operations.js';
import { agentVersionOperations } from '../agent-versions/operations.js';
import { clientPushOperations } from '../client-push/operations.js';
import { clientCheckOperations } from '../client-check/operations.js';
import { clientStatusOperations } from '../client-status/operations.js';
import { clientSettingsObjectOperations } from '../client-settings/operations.js';
import { boundaryGroupOperations, boundaryOperations } from '../boundaries/operations.js';
import { collectionOperations } from '../collections/operations.js';
import { discoveryOperations } from '../discovery/operations.js';
import { contentOperations, packageOperations } from '../content/operations.js';
import { deploymentOperations, phasedDeploymentOperations } from '../deployments/operations.js';
import { deviceOperations } from '../devices/operations.js';
import {
  distributionPointOperations,
  dpGroupOperations,
  packageDistributionOperations,
} from '../distribution/operations.js';
import { distributionPointAgentOperations } from '../distribution/point-agent-operations.js';
import { enrolmentOperations, inventoryOperations } from '../inventory/operations.js';
import { exportOperations } from '../export/operations.js';
import { searchOperations } from '../search/operations.js';
import { clientActivityOperations } from '../monitoring/operations.js';
import { maintenanceWindowOperations, programOperations } from '../programs/operations.js';
import { deploymentReportOperations, distributionReportOperations } from '../reports/operations.js';
import { sqlReportExportOperations, sqlReportOperations } from '../reports/sql-operations.js';
import { siteOperations } from '../site/operations.js';
import { auditOperations, statusOperations } from '../status/operations.js';
import { authOperations, userOperations } from '../users/operations.js';
import { updateCatalogOperations } from '../updates/operations.js';
import { driverOperations } from '../drivers/operations.js';
import { upgradePackageOperations } from '../upgrade-packages/operations.js';
import { updateGroupOperations } from '../updates/deploy-operations.js';
import { updateDeploymentOperations } from '../updates/deployment-operations.js';
import { updateRollupOperations, updateRuleOperations } from '../updates/rule-operations.js';
import { advisoryOperations } from '../updates/adv-operations.js';
import {
  updateComplianceOperations,
  updateScanAgentOperations,
} from '../updates/scan-operations.js';
import { viewOperations } from '../views/operations.js';
import { customUpdateOperations } from '../updates/custom-operations.js';
import { updateApprovalOperations } from '../updates/approvals.js';
import { taskSequenceOperations } from '../task-sequences/operations.js';
import {
  bootEnvironmentOperations,
  bootImageOperations,
  importedComputerOperations,
  unknownComputerOperations,
} from '../boot-images/operations.js';
import { mediaOperations } from '../media/operations.js';
import { osImageOperations } from '../os-images/operations.js';
import { primaryUserOperations } from '../devices/primary-user-operations.js';
import {
  dpStateMigrationOperations,
  stateMigrationPointOperations,
  userStateOperations,
  userStateRunOperations,
} from '../user-state/operations.js';
import type { Operation, OperationGroup } from './operation.js';

/**
 * The admin API, one group per domain: `ops.devices.list` is `GET /devices`. The server
 * registers its routes from these, the client calls them, the OpenAPI document describes them.
 */
export const ops = {
  site: siteOperations,
  auth: authOperations,
  users: userOperations,
  enrolment: enrolmentOperations,
  devices: deviceOperations,
  inventory: inventoryOperations,
  clientSettingsObjects: clientSettingsObjectOperations,
  clientCheck: clientCheckOperations,
  clientActivity: clientActivityOperations,
  collections: collectionOperations,
  programs: programOperations,
  maintenanceWindows: maintenanceWindowOperations,
  deployments: deploymentOperations,
  phasedDeployments: phasedDeploymentOperations,
  status: statusOperations,
  audit: auditOperations,
  packages: packageOperations,
  content: contentOperations,
  packageDistribution: packageDistributionOperations,
  distributionPoints: distributionPointOperations,
  dpGroups: dpGroupOperations,
  boundaries: boundaryOperations,
  boundaryGroups: boundaryGroupOperations,
  deploymentReports: deploymentReportOperations,
  distributionReports: distributionReportOperations,
  agentVersions: agentVersionOperations,
  clientPush: clientPushOperations,
  clientStatus: clientStatusOperations,
  discovery: discoveryOperations,
  updateCatalog: updateCatalogOperations,
  drivers: driverOperations,
  updateGroups: updateGroupOperations,
  advisories: advisoryOperations,
  updateCompliance: updateComplianceOperations,
  views: viewOperations,
  exports: exportOperations,
  search: searchOperations,
  sqlReports: sqlReportOperations,
  sqlReportExports: sqlReportExportOperations,
  customUpdates: customUpdateOperations,
  updateApprovals: updateApprovalOperations,
  updateDeployments: updateDeploymentOperations,
  updateRules: updateRuleOperations,
  updateRollups: updateRollupOperations,
  taskSequences: taskSequenceOperations,
  taskSequenceDeployments: taskSequenceDeploymentOperations,
  bootImages: bootImageOperations,
  osImages: osImageOperations,
  unknownComputers: unknownComputerOperations,
  importedComputers: importedComputerOperations,
  media: mediaOperations,
  dpPxe: dpPxeOperations,
  dpMulticast: dpMulticastOperations,
  primaryUsers: primaryUserOperations,
  upgradePackages: upgradePackageOperations,
  dpStateMigration: dpStateMigrationOperations,
  userState: userStateOperations,
} as const;

/** Every operation of the table, flattened. */
export function allOperations(): Operation[] {
  const groups: readonly OperationGroup[] = Object.values(ops);
  return groups.flatMap((group) => Object.values(group));
}

/**
 * The agent API, served on the agent listener (HTTPS with the site CA), one group per place that
 * serves it: `agentOps.device.policy` is `GET /agent/v1/policy`. Paths are whole (the listener
 * has no common prefix). The server registers these routes from the table (`implementAgent`);
 * the agent, the DP process and the simulator call them through their own transports with
 * `requestOf` and `checkAnswer`.
 */
export const agentOps = {
  device: deviceAgentOperations,
  distribution: contentLocationOperations,
  content: contentFileOperations,
  distributionPoint: distributionPointAgentOperations,
  install: agentInstallOperations,
  updateScan: updateScanAgentOperations,
  bootEnvironment: bootEnvironmentOperations,
  dpPxe: dpPxeAgentOperations,
  dpMulticast: dpMulticastAgentOperations,
  multicast: multicastClientOperations,
  userStateRun: userStateRunOperations,
  stateMigrationPoint: stateMigrationPointOperations,
} as const;

/** Every operation of the agent API, flattened. */
export function allAgentOperations(): Operation[] {
  const groups: readonly OperationGroup[] = Object.values(agentOps);
  return groups.flatMap((group) => Object.values(group));
}
