import { ActivityCheckOutcome, PrimaryUserSource } from '@steward/protocol';
import {
  bigint,
  defaulted,
  integer,
  nullable,
  oneOf,
  real,
  text,
  type TableOf,
} from './columns.js';

/** The devices domain's tables (see columns.ts for the conventions). */
export const devicesTables = {
  device: {
    id: text(),
    name: text(),
    key_hash: text(),
    enrolled_at: text(),
    enrolment_token_id: nullable(text()),
    revoked_at: nullable(text()),
    os_family: nullable(text()),
    os_name: nullable(text()),
    os_version: nullable(text()),
    machine_type: nullable(text()),
    cpu_model: nullable(text()),
    memory_total_mb: nullable(real()),
    ip_addresses: defaulted(text()),
    last_logged_on_user: nullable(text()),
    agent_version: nullable(text()),
    package_set_id: nullable(text()),
    package_count: defaulted(integer()),
    report_seq: defaulted(bigint()),
    /** Sequence of the last inventory report applied: older ones are superseded, not applied. */
    inventory_seq: defaulted(bigint()),
    inventory_resync: defaulted(integer()),
    policy_version: nullable(integer()),
    last_policy_request_at: nullable(text()),
    last_heartbeat_at: nullable(text()),
    last_inventory_at: nullable(text()),
    last_status_at: nullable(text()),
    last_hardware_inventory_at: nullable(text()),
    last_software_inventory_at: nullable(text()),
    /** Set by the activity job after the obsolete threshold without a heartbeat (ADR 0029). */
    obsolete_at: nullable(text()),
    activity_checked_at: nullable(text()),
    activity_check_outcome: nullable(oneOf(ActivityCheckOutcome)),
    activity_check_detail: nullable(text()),
    last_contact_at: nullable(text()),
    /** Refreshed while a server process holds the device's push connection. */
    push_seen_at: nullable(text()),
    /** The server process holding the device's push channel now (ADR 0035); null: none. */
    push_session_id: nullable(text()),
    /** When its push channel last closed (null: no channel recorded since ADR 0035). */
    push_closed_at: nullable(text()),
  },
  device_action: {
    id: text(),
    device_id: text(),
    action: text(),
    requested_by: text(),
    requested_at: text(),
    delivered_at: nullable(text()),
    completed_at: nullable(text()),
    not_connected: defaulted(integer()),
  },
  /** Running server processes and their heartbeat (ADR 0035: whose push channels are live). */
  server_process: {
    id: text(),
    started_at: text(),
    heartbeat_at: text(),
  },
  /** User device affinity (issue 11): a device's primary users per source. */
  device_primary_user: {
    device_id: text(),
    user_name: text(),
    source: oneOf(PrimaryUserSource),
    set_at: text(),
    /** The administrator, or the task-sequence deployment whose run named the user. */
    set_by: text(),
  },
} as const;

export interface DevicesTables {
  device: DeviceTable;
  device_action: DeviceActionTable;
  server_process: ServerProcessTable;
  device_primary_user: TableOf<typeof devicesTables.device_primary_user>;
}
export type DeviceTable = TableOf<typeof devicesTables.device>;
export type DeviceActionTable = TableOf<typeof devicesTables.device_action>;
export type ServerProcessTable = TableOf<typeof devicesTables.server_process>;
