import type { SiteTables } from './site.js';
import type { UsersTables } from './users.js';
import type { AuditTables } from './audit.js';
import type { EnrolmentTables } from './enrolment.js';
import type { DevicesTables } from './devices.js';
import type { InventoryTables } from './inventory.js';
import type { StatusTables } from './status.js';
import type { CollectionsTables } from './collections.js';
import type { MonitoringTables } from './monitoring.js';
import type { ContentTables } from './content.js';
import type { DistributionTables } from './distribution.js';
import type { DeploymentsTables } from './deployments.js';

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
    DeploymentsTables {}

export type { SiteSettingTable } from './site.js';
export type { AdminUserTable, AdminSessionTable } from './users.js';
export type { AuditLogTable } from './audit.js';
export type { EnrolmentTokenTable } from './enrolment.js';
export type { DeviceTable, DeviceActionTable } from './devices.js';
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
