import type { ColumnType } from 'kysely';

export interface DeviceTable {
  id: string;
  name: string;
  key_hash: string;
  enrolled_at: string;
  enrolment_token_id: string | null;
  revoked_at: string | null;
  os_family: string | null;
  os_name: string | null;
  os_version: string | null;
  machine_type: string | null;
  cpu_model: string | null;
  memory_total_mb: number | null;
  ip_addresses: string;
  last_logged_on_user: string | null;
  agent_version: string | null;
  package_set_id: string | null;
  package_count: number;
  report_seq: ColumnType<number, number | undefined, number>;
  /** Sequence of the last inventory report applied: older ones are superseded, not applied. */
  inventory_seq: ColumnType<number, number | undefined, number>;
  inventory_resync: number;
  policy_version: number | null;
  last_policy_request_at: string | null;
  last_heartbeat_at: string | null;
  last_inventory_at: string | null;
  last_status_at: string | null;
  last_contact_at: string | null;
  /** Refreshed while a server process holds the device's push connection. */
  push_seen_at: string | null;
}

export interface DeviceActionTable {
  id: string;
  device_id: string;
  action: string;
  requested_by: string;
  requested_at: string;
  delivered_at: string | null;
  completed_at: string | null;
  not_connected: number;
}

/** The devices domain's tables. */
export interface DevicesTables {
  device: DeviceTable;
  device_action: DeviceActionTable;
}
