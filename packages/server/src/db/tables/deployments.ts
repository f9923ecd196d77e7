import type { ColumnType } from 'kysely';
import type { Json, Big } from './columns.js';

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

/** The deployments domain's tables. */
export interface DeploymentsTables {
  program: ProgramTable;
  phased_deployment: PhasedDeploymentTable;
  deployment: DeploymentTable;
  deployment_phase: DeploymentPhaseTable;
  deployment_device_state: DeploymentDeviceStateTable;
  deployment_rerun: DeploymentRerunTable;
  deployment_state_snapshot: DeploymentStateSnapshotTable;
  maintenance_window: MaintenanceWindowTable;
}
