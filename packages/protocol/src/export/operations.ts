import { userStateOperations } from '../user-state/operations.js';
import { agentVersionOperations } from '../agent-versions/operations.js';
import { boundaryOperations } from '../boundaries/operations.js';
import { clientCheckOperations } from '../client-check/operations.js';
import { clientPushOperations } from '../client-push/operations.js';
import { clientStatusOperations } from '../client-status/operations.js';
import { collectionOperations } from '../collections/operations.js';
import { packageOperations } from '../content/operations.js';
import { deploymentOperations, phasedDeploymentOperations } from '../deployments/operations.js';
import { deviceOperations } from '../devices/operations.js';
import { discoveryOperations } from '../discovery/operations.js';
import { distributionPointOperations } from '../distribution/operations.js';
import { defineOperations } from '../http/operation.js';
import { clientActivityOperations } from '../monitoring/operations.js';
import { programOperations } from '../programs/operations.js';
import { deploymentReportOperations, distributionReportOperations } from '../reports/operations.js';
import { auditOperations, statusOperations } from '../status/operations.js';
import { userOperations } from '../users/operations.js';
import { updateComplianceOperations } from '../updates/scan-operations.js';
import { updateCatalogOperations } from '../updates/operations.js';
import { advisoryOperations } from '../updates/adv-operations.js';
import {
  bootImageOperations,
  importedComputerOperations,
  unknownComputerOperations,
} from '../boot-images/operations.js';
import { driverOperations } from '../drivers/operations.js';
import { upgradePackageOperations } from '../upgrade-packages/operations.js';
import { mediaOperations } from '../media/operations.js';
import { osImageOperations } from '../os-images/operations.js';
import { taskSequenceDeploymentOperations } from '../task-sequences/deployment-operations.js';
import { taskSequenceOperations } from '../task-sequences/operations.js';
import { customUpdateOperations } from '../updates/custom-operations.js';
import { updateGroupOperations } from '../updates/deploy-operations.js';
import { updateDeploymentOperations } from '../updates/deployment-operations.js';
import { updateRollupOperations, updateRuleOperations } from '../updates/rule-operations.js';
import { exportOf } from './export-of.js';

/**
 * Every list and report, exported (ADR 0032): `GET <list path>/export?format=csv|json&<the
 * list's filters>` streams every matching row. One line per list; the server serves them all
 * from the lists' own handlers.
 */
export const exportOperations = defineOperations({
  devices: exportOf(deviceOperations.list, 'devices'),
  devicePackages: exportOf(deviceOperations.packages, 'device-packages'),
  deviceInventoryHistory: exportOf(deviceOperations.history, 'inventory-history'),
  collections: exportOf(collectionOperations.list, 'collections'),
  collectionMembers: exportOf(collectionOperations.members, 'collection-members'),
  collectionMembershipHistory: exportOf(
    collectionOperations.membershipHistory,
    'membership-history',
  ),
  packages: exportOf(packageOperations.list, 'packages'),
  programs: exportOf(programOperations.list, 'programs'),
  deployments: exportOf(deploymentOperations.list, 'deployments'),
  deploymentDevices: exportOf(deploymentOperations.devices, 'deployment-devices'),
  phasedDeployments: exportOf(phasedDeploymentOperations.list, 'phased-deployments'),
  statusMessages: exportOf(statusOperations.listMessages, 'status-messages'),
  auditLog: exportOf(auditOperations.list, 'audit-log'),
  users: exportOf(userOperations.list, 'users'),
  distributionPoints: exportOf(distributionPointOperations.list, 'distribution-points'),
  boundaries: exportOf(boundaryOperations.list, 'boundaries'),
  discoveredMachines: exportOf(discoveryOperations.listMachines, 'discovered-machines'),
  discoverySweeps: exportOf(discoveryOperations.listSweeps, 'discovery-sweeps'),
  discoveredMembers: exportOf(discoveryOperations.listCollectionMembers, 'discovered-members'),
  pushJobs: exportOf(clientPushOperations.listJobs, 'push-attempts'),
  agentUpgrades: exportOf(agentVersionOperations.upgrades, 'agent-upgrades'),
  // Reports (Monitoring)
  clientStatusDevices: exportOf(clientStatusOperations.devices, 'client-status'),
  clientDeploymentStatus: exportOf(
    clientStatusOperations.byCollectionReport,
    'client-deployment-status',
  ),
  clientDeploymentFailures: exportOf(
    clientStatusOperations.failuresReport,
    'client-deployment-failures',
  ),
  clientCheckFailures: exportOf(clientCheckOperations.failures, 'client-check-failures'),
  inactiveClients: exportOf(clientActivityOperations.inactive, 'inactive-clients'),
  inventoryOverdue: exportOf(clientActivityOperations.inventoryOverdue, 'inventory-overdue'),
  deploymentSummary: exportOf(deploymentReportOperations.summary, 'deployment-summary'),
  deploymentFailures: exportOf(deploymentReportOperations.failures, 'deployment-failures'),
  distributionStatus: exportOf(distributionReportOperations.status, 'distribution-status'),
  dpCompletion: exportOf(distributionReportOperations.dpCompletion, 'dp-completion'),
  updateDevices: exportOf(updateComplianceOperations.updateDevices, 'update-devices'),
  customUpdateDevices: exportOf(
    customUpdateOperations.customUpdateDevices,
    'custom-update-devices',
  ),
  deviceUpdates: exportOf(updateComplianceOperations.deviceUpdates, 'device-updates'),
  updateScanAudit: exportOf(updateComplianceOperations.scanAudit, 'update-scan-audit'),
  updates: exportOf(updateCatalogOperations.listUpdates, 'updates'),
  advisories: exportOf(advisoryOperations.listAdvisories, 'advisories'),
  customUpdates: exportOf(customUpdateOperations.listCustomUpdates, 'custom-updates'),
  updateGroups: exportOf(updateGroupOperations.listGroups, 'update-groups'),
  updateDeployments: exportOf(
    updateDeploymentOperations.listUpdateDeployments,
    'update-deployments',
  ),
  updateDeploymentDevices: exportOf(
    updateDeploymentOperations.updateDeploymentDevices,
    'update-deployment-devices',
  ),
  updateRules: exportOf(updateRuleOperations.listUpdateRules, 'update-rules'),
  updateRuleRuns: exportOf(updateRuleOperations.listUpdateRuleRuns, 'update-rule-runs'),
  updateRollups: exportOf(updateRollupOperations.listUpdateRollups, 'update-rollups'),
  drivers: exportOf(driverOperations.list, 'drivers'),
  // Operating system deployment (issue 11)
  taskSequences: exportOf(taskSequenceOperations.list, 'task-sequences'),
  taskSequenceDeployments: exportOf(
    taskSequenceDeploymentOperations.list,
    'task-sequence-deployments',
  ),
  osImages: exportOf(osImageOperations.list, 'os-images'),
  upgradePackages: exportOf(upgradePackageOperations.list, 'upgrade-packages'),
  bootImages: exportOf(bootImageOperations.list, 'boot-images'),
  media: exportOf(mediaOperations.list, 'media'),
  unknownComputers: exportOf(unknownComputerOperations.list, 'unknown-computers'),
  importedComputers: exportOf(importedComputerOperations.list, 'imported-computers'),
  userState: exportOf(userStateOperations.list, 'user-state'),
  computerAssociations: exportOf(userStateOperations.associations, 'computer-associations'),
});
