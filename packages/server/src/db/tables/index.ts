import { siteTables, type SiteTables } from './site.js';
import { usersTables, type UsersTables } from './users.js';
import { auditTables, type AuditTables } from './audit.js';
import { enrolmentTables, type EnrolmentTables } from './enrolment.js';
import { devicesTables, type DevicesTables } from './devices.js';
import { inventoryTables, type InventoryTables } from './inventory.js';
import { statusTables, type StatusTables } from './status.js';
import { collectionsTables, type CollectionsTables } from './collections.js';
import { monitoringTables, type MonitoringTables } from './monitoring.js';
import { contentTables, type ContentTables } from './content.js';
import { distributionTables, type DistributionTables } from './distribution.js';
import { deploymentsTables, type DeploymentsTables } from './deployments.js';
import { agentVersionsTables, type AgentVersionsTables } from './agent-versions.js';
import { clientPushTables, type ClientPushTables } from './client-push.js';
import { discoveryTables, type DiscoveryTables } from './discovery.js';
import { updatesTables, type UpdatesTables } from './updates.js';
import { driverTables, type DriverTables } from './drivers.js';
import { bootImagesTables, type BootImagesTables } from './boot-images.js';
import { osImagesTables, type OsImagesTables } from './os-images.js';
import { advisoriesTables, type AdvisoriesTables } from './advisories.js';
import { updateComplianceTables, type UpdateComplianceTables } from './update-compliance.js';
export type {
  ClientSettingsObjectTable,
  ClientSettingsAssignmentTable,
  ClientCheckRunTable,
  ClientCheckStateTable,
} from './client-health.js';
import { clientHealthTables, type ClientHealthTables } from './client-health.js';
import { viewsTables, type ViewsTables } from './views.js';
import { updateDeploymentsTables, type UpdateDeploymentsTables } from './update-deployments.js';
import { updateRulesTables, type UpdateRulesTables } from './update-rules.js';
import { reportsTables, type ReportsTables } from './reports.js';
import { customUpdatesTables, type CustomUpdatesTables } from './custom-updates.js';
import { taskSequenceTables, type TaskSequenceTables } from './task-sequences.js';
import { pxeTables, type PxeTables } from './pxe.js';
import { mediaTables, type MediaTables } from './media.js';
import { multicastTables, type MulticastTables } from './multicast.js';
import { upgradePackageTables, type UpgradePackageTables } from './upgrade-packages.js';
import { userStateTables, type UserStateTables } from './user-state.js';
import type { TableDescription } from './columns.js';

/** Every table of the site database, composed from one module per domain. */
export interface Database
  extends
    SiteTables,
    UsersTables,
    AuditTables,
    EnrolmentTables,
    DevicesTables,
    InventoryTables,
    StatusTables,
    CollectionsTables,
    MonitoringTables,
    ContentTables,
    DistributionTables,
    DeploymentsTables,
    AgentVersionsTables,
    ClientPushTables,
    DiscoveryTables,
    UpdatesTables,
    DriverTables,
    AdvisoriesTables,
    UpdateComplianceTables,
    ClientHealthTables,
    ViewsTables,
    UpdateDeploymentsTables,
    UpdateRulesTables,
    ReportsTables,
    CustomUpdatesTables,
    TaskSequenceTables,
    BootImagesTables,
    OsImagesTables,
    PxeTables,
    MediaTables,
    MulticastTables,
    UpgradePackageTables,
    UserStateTables {}

export type { SiteSettingTable } from './site.js';
export type { AdminUserTable, AdminSessionTable } from './users.js';
export type { AuditLogTable } from './audit.js';
export type { EnrolmentTokenTable } from './enrolment.js';
export type { DeviceTable, DeviceActionTable, ServerProcessTable } from './devices.js';
export type {
  DeviceInventoryTable,
  InventoryChangeTable,
  PackageSetTable,
  PackageSetItemTable,
  InventoryClassTable,
} from './inventory.js';
export type { StatusMessageTable } from './status.js';
export type {
  CollectionTable,
  CollectionMemberTable,
  CollectionMembershipChangeTable,
  CollectionRevisionTable,
} from './collections.js';
export type { ClientActivitySnapshotTable } from './monitoring.js';
export type {
  ContentFileTable,
  SoftwarePackageTable,
  PackageVersionTable,
  PackageVersionFileTable,
} from './content.js';
export type {
  DistributionPointTable,
  DpGroupTable,
  DpGroupMemberTable,
  DpGroupPackageTable,
  DpPackageTable,
  BoundaryTable,
  BoundaryGroupTable,
  BoundaryGroupBoundaryTable,
  BoundaryGroupDpTable,
  BoundaryGroupNeighbourTable,
} from './distribution.js';
export type {
  ProgramTable,
  PhasedDeploymentTable,
  DeploymentTable,
  DeploymentPhaseTable,
  DeploymentDeviceStateTable,
  DeploymentRerunTable,
  DeploymentStateSnapshotTable,
  MaintenanceWindowTable,
} from './deployments.js';
export type {
  PushAccountTable,
  PushHostKeyTable,
  PushJobTable,
  PushTargetTable,
  PushAttemptTable,
} from './client-push.js';

export type {
  AgentVersionTable,
  AgentVersionFileTable,
  AgentUpgradeTable,
} from './agent-versions.js';
export type {
  DiscoverySweepTable,
  DiscoveredMachineTable,
  DiscoveredCollectionMemberTable,
  DiscoveredCollectionRuleTable,
} from './discovery.js';
export type { SavedViewTable, SavedViewDefaultTable } from './views.js';
export type { UpdateGroupTable, UpdateGroupMemberTable } from './update-deployments.js';
export type { ReportCustomTable } from './reports.js';
export type { CustomUpdateTable } from './custom-updates.js';

/** The runtime description of every table, by name: what the migrations must have built. */
export const tables: Readonly<Record<keyof Database, TableDescription>> = {
  ...siteTables,
  ...usersTables,
  ...auditTables,
  ...enrolmentTables,
  ...devicesTables,
  ...inventoryTables,
  ...statusTables,
  ...collectionsTables,
  ...monitoringTables,
  ...contentTables,
  ...distributionTables,
  ...deploymentsTables,
  ...agentVersionsTables,
  ...clientPushTables,
  ...discoveryTables,
  ...updatesTables,
  ...driverTables,
  ...advisoriesTables,
  ...updateComplianceTables,
  ...clientHealthTables,
  ...viewsTables,
  ...updateDeploymentsTables,
  ...updateRulesTables,
  ...reportsTables,
  ...customUpdatesTables,
  ...taskSequenceTables,
  ...bootImagesTables,
  ...osImagesTables,
  ...pxeTables,
  ...mediaTables,
  ...multicastTables,
  ...upgradePackageTables,
  ...userStateTables,
};
