import type { ColumnType } from 'kysely';

/** Row types of the software-distribution tables (migration 20261122T1700). Same conventions as schema.ts. */
type Json = ColumnType<unknown, string, string>;
/** bigint columns: pg returns strings for int8, so readers wrap them in Number(). */
type Big = ColumnType<number | string, number, number>;

export interface ContentFileTable {
  sha256: string;
  size: Big;
  created_at: string;
}

export interface SoftwarePackageTable {
  id: string;
  name: string;
  publisher: string;
  version: string;
  description: string;
  priority: string;
  current_version_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PackageVersionTable {
  id: string;
  package_id: string;
  number: number;
  created_at: string;
  created_by: string;
  file_count: number;
  size_bytes: Big;
  source: string;
}

export interface PackageVersionFileTable {
  version_id: string;
  path: string;
  sha256: string;
  size: Big;
  mode: number;
}

export interface DistributionPointTable {
  id: string;
  name: string;
  description: string;
  url: string | null;
  is_site_server: number;
  protected: number;
  registration_hash: string | null;
  registration_expires_at: string | null;
  key_hash: string | null;
  registered_at: string | null;
  last_seen_at: string | null;
  version: string | null;
  stored_bytes: ColumnType<number | string, number | undefined, number>;
  created_at: string;
}

export interface DpGroupTable {
  id: string;
  name: string;
  description: string;
  created_at: string;
}

export interface DpGroupMemberTable {
  group_id: string;
  dp_id: string;
  added_at: string;
}

export interface DpGroupPackageTable {
  group_id: string;
  package_id: string;
}

export interface DpPackageTable {
  dp_id: string;
  package_id: string;
  installed_version_id: string | null;
  version_id: string;
  state: string;
  bytes_done: ColumnType<number | string, number | undefined, number>;
  bytes_total: ColumnType<number | string, number | undefined, number>;
  message: string | null;
  updated_at: string;
  validate_requested_at: string | null;
  validated_at: string | null;
}

export interface BoundaryTable {
  id: string;
  name: string;
  type: string;
  value: string;
  start_key: string;
  end_key: string;
  created_at: string;
}

export interface BoundaryGroupTable {
  id: string;
  name: string;
  description: string;
  site_code: string;
  slow: number;
  created_at: string;
}

export interface BoundaryGroupBoundaryTable {
  group_id: string;
  boundary_id: string;
}

export interface BoundaryGroupDpTable {
  group_id: string;
  dp_id: string;
}

export interface BoundaryGroupNeighbourTable {
  group_id: string;
  neighbour_id: string;
  fallback_after_minutes: number;
}

export interface ProgramTable {
  id: string;
  package_id: string;
  name: string;
  command_line: string;
  working_directory: string;
  run_as: string;
  max_run_minutes: number;
  success_exit_codes: Json;
  reboot_exit_codes: Json;
  requirements: Json;
  depends_on_program_id: string | null;
  description: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface PhasedDeploymentTable {
  id: string;
  name: string;
  program_id: string;
  state: string;
  halt_on_failure_percent: number;
  current_phase: number;
  halt_reason: string | null;
  deployment_settings: Json;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface DeploymentTable {
  id: string;
  name: string;
  program_id: string;
  collection_id: string;
  purpose: string;
  triggers: Json;
  available_at: string | null;
  expires_at: string | null;
  time_base: string;
  rerun: string;
  pre_download: number;
  content_mode: string;
  run_over_slow_boundary: number;
  allow_fallback: number;
  override_maintenance_windows: number;
  max_postpone_minutes: number;
  enabled: number;
  revision: number;
  extra_assignments: Json;
  phased_deployment_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface DeploymentPhaseTable {
  phased_deployment_id: string;
  idx: number;
  collection_id: string;
  success_percent: number;
  soak_minutes: number;
  state: string;
  deployment_id: string | null;
  started_at: string | null;
  threshold_reached_at: string | null;
  completed_at: string | null;
}

export interface DeploymentDeviceStateTable {
  deployment_id: string;
  device_id: string;
  state: string;
  revision: number;
  run_id: string | null;
  reason_code: string | null;
  reason: string | null;
  exit_code: number | null;
  output_tail: string | null;
  bytes_done: ColumnType<number | string | null, number | null, number | null>;
  bytes_total: ColumnType<number | string | null, number | null, number | null>;
  last_run_at: string | null;
  next_run_at: string | null;
  run_count: ColumnType<number, number | undefined, number>;
  state_at: string;
  device_seq: Big;
}

export interface DeploymentRerunTable {
  deployment_id: string;
  device_id: string;
  revision: number;
}

export interface DeploymentStateSnapshotTable {
  deployment_id: string;
  at: string;
  counts: Json;
}

export interface MaintenanceWindowTable {
  id: string;
  collection_id: string;
  name: string;
  start: string;
  duration_minutes: number;
  recurrence: Json;
  time_base: string;
  applies_to: string;
  enabled: number;
  created_at: string;
}

export interface SoftwareTables {
  content_file: ContentFileTable;
  software_package: SoftwarePackageTable;
  package_version: PackageVersionTable;
  package_version_file: PackageVersionFileTable;
  distribution_point: DistributionPointTable;
  dp_group: DpGroupTable;
  dp_group_member: DpGroupMemberTable;
  dp_group_package: DpGroupPackageTable;
  dp_package: DpPackageTable;
  boundary: BoundaryTable;
  boundary_group: BoundaryGroupTable;
  boundary_group_boundary: BoundaryGroupBoundaryTable;
  boundary_group_dp: BoundaryGroupDpTable;
  boundary_group_neighbour: BoundaryGroupNeighbourTable;
  program: ProgramTable;
  phased_deployment: PhasedDeploymentTable;
  deployment: DeploymentTable;
  deployment_phase: DeploymentPhaseTable;
  deployment_device_state: DeploymentDeviceStateTable;
  deployment_rerun: DeploymentRerunTable;
  deployment_state_snapshot: DeploymentStateSnapshotTable;
  maintenance_window: MaintenanceWindowTable;
}
