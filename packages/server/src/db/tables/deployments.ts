import {
  Deployment,
  DeploymentPurpose,
  DeploymentStateName,
  MaintenanceWindowBody,
  Phase,
  PhasedDeploymentState,
  Program,
  RerunBehaviour,
  TimeBase,
} from '@steward/protocol';
import {
  bigint,
  defaulted,
  integer,
  json,
  nullable,
  oneOf,
  text,
  type TableOf,
} from './columns.js';

/** The deployments domain's tables (see columns.ts for the conventions). */
export const deploymentsTables = {
  program: {
    id: text(),
    package_id: text(),
    name: text(),
    command_line: text(),
    working_directory: text(),
    run_as: oneOf(Program.properties.runAs),
    max_run_minutes: integer(),
    success_exit_codes: json(),
    reboot_exit_codes: json(),
    requirements: json(),
    depends_on_program_id: nullable(text()),
    description: text(),
    disabled: defaulted(integer()),
    created_at: text(),
    updated_at: text(),
  },
  phased_deployment: {
    id: text(),
    name: text(),
    program_id: text(),
    state: oneOf(PhasedDeploymentState),
    halt_on_failure_percent: integer(),
    current_phase: integer(),
    halt_reason: nullable(text()),
    deployment_settings: json(),
    created_by: text(),
    created_at: text(),
    updated_at: text(),
  },
  deployment: {
    id: text(),
    name: text(),
    program_id: text(),
    collection_id: text(),
    purpose: oneOf(DeploymentPurpose),
    triggers: json(),
    available_at: nullable(text()),
    expires_at: nullable(text()),
    time_base: oneOf(TimeBase),
    rerun: oneOf(RerunBehaviour),
    pre_download: integer(),
    content_mode: oneOf(Deployment.properties.contentMode),
    run_over_slow_boundary: integer(),
    allow_fallback: integer(),
    override_maintenance_windows: integer(),
    max_postpone_minutes: integer(),
    enabled: integer(),
    revision: integer(),
    extra_assignments: json(),
    phased_deployment_id: nullable(text()),
    created_by: text(),
    created_at: text(),
    updated_at: text(),
  },
  deployment_phase: {
    phased_deployment_id: text(),
    idx: integer(),
    collection_id: text(),
    success_percent: integer(),
    soak_minutes: integer(),
    state: oneOf(Phase.properties.state),
    deployment_id: nullable(text()),
    started_at: nullable(text()),
    threshold_reached_at: nullable(text()),
    completed_at: nullable(text()),
  },
  deployment_device_state: {
    deployment_id: text(),
    device_id: text(),
    state: oneOf(DeploymentStateName),
    revision: integer(),
    run_id: nullable(text()),
    reason_code: nullable(text()),
    reason: nullable(text()),
    exit_code: nullable(integer()),
    output_tail: nullable(text()),
    restart_need: nullable(json()),
    bytes_done: nullable(bigint()),
    bytes_total: nullable(bigint()),
    last_run_at: nullable(text()),
    next_run_at: nullable(text()),
    run_count: defaulted(integer()),
    state_at: text(),
    device_seq: bigint(),
  },
  deployment_rerun: {
    deployment_id: text(),
    device_id: text(),
    revision: integer(),
  },
  deployment_state_snapshot: {
    deployment_id: text(),
    at: text(),
    counts: json(),
  },
  maintenance_window: {
    id: text(),
    collection_id: text(),
    name: text(),
    start: text(),
    duration_minutes: integer(),
    recurrence: json(),
    time_base: oneOf(TimeBase),
    applies_to: oneOf(MaintenanceWindowBody.properties.appliesTo),
    enabled: integer(),
    created_at: text(),
  },
} as const;

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
export type ProgramTable = TableOf<typeof deploymentsTables.program>;
export type PhasedDeploymentTable = TableOf<typeof deploymentsTables.phased_deployment>;
export type DeploymentTable = TableOf<typeof deploymentsTables.deployment>;
export type DeploymentPhaseTable = TableOf<typeof deploymentsTables.deployment_phase>;
export type DeploymentDeviceStateTable = TableOf<typeof deploymentsTables.deployment_device_state>;
export type DeploymentRerunTable = TableOf<typeof deploymentsTables.deployment_rerun>;
export type DeploymentStateSnapshotTable = TableOf<
  typeof deploymentsTables.deployment_state_snapshot
>;
export type MaintenanceWindowTable = TableOf<typeof deploymentsTables.maintenance_window>;
