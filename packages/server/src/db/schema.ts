import type { ColumnType } from 'kysely';
import type { SoftwareTables } from './schema-software.js';

/**
 * Row types of every table. Times are ISO-8601 UTC text in both dialects (sortable, no driver
 * differences); booleans are 0/1 integers; JSON is text on SQLite and jsonb on PostgreSQL, so
 * readers go through `parseJsonColumn`.
 */
type Json = ColumnType<unknown, string, string>;
type AutoId = ColumnType<string | number, never, never>;

export interface SiteSettingTable {
  key: string;
  value: string;
}

export interface AdminUserTable {
  id: string;
  name: string;
  password_hash: string;
  role: string;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

export interface AdminSessionTable {
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface AuditLogTable {
  id: AutoId;
  at: string;
  user_name: string;
  action: string;
  target_type: string;
  target_id: string;
  details: Json;
}

export interface EnrolmentTokenTable {
  id: string;
  secret_hash: string;
  description: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  revoked: number;
}

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

export interface DeviceInventoryTable {
  device_id: string;
  class_name: string;
  /** JSON array of instances. */
  data: Json;
  hash: string;
  updated_at: string;
}

export interface InventoryChangeTable {
  id: AutoId;
  device_id: string;
  class_name: string;
  at: string;
  added: Json;
  removed: Json;
}

export interface PackageSetTable {
  id: string;
  package_count: number;
  created_at: string;
}

export interface PackageSetItemTable {
  set_id: string;
  manager: string;
  name: string;
  arch: string;
  version: string;
  /** debianVersionKey(version): byte order = dpkg order (COLLATE "C" on PostgreSQL). */
  version_key: string;
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

export interface StatusMessageTable {
  id: AutoId;
  message_id: number;
  severity: string;
  type: string;
  component: string;
  device_id: string | null;
  /** The agent's outbox sequence number; null for messages the site raised itself. */
  device_seq: ColumnType<string | number | null, number | null | undefined, never>;
  machine: string;
  site_code: string;
  at: string;
  received_at: string;
  insertion_strings: Json;
  attributes: Json;
}

export interface InventoryClassTable {
  name: string;
  definition: Json;
  created_at: string;
  updated_at: string;
  created_by: string;
}

export interface CollectionTable {
  id: string;
  name: string;
  description: string;
  builtin: number;
  limiting_collection_id: string | null;
  rules: Json;
  evaluation_interval_minutes: number;
  member_count: number;
  last_evaluated_at: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface CollectionMemberTable {
  collection_id: string;
  device_id: string;
  since: string;
}

export interface CollectionMembershipChangeTable {
  id: AutoId;
  collection_id: string;
  device_id: string;
  change: string;
  at: string;
  revision: number;
}

export interface CollectionRevisionTable {
  collection_id: string;
  revision: number;
  at: string;
  by: string;
  definition: Json;
}

export interface ClientActivitySnapshotTable {
  collection_id: string;
  at: string;
  active: number;
  inactive: number;
}

export interface Database extends SoftwareTables {
  site_setting: SiteSettingTable;
  admin_user: AdminUserTable;
  admin_session: AdminSessionTable;
  audit_log: AuditLogTable;
  enrolment_token: EnrolmentTokenTable;
  device: DeviceTable;
  device_inventory: DeviceInventoryTable;
  inventory_change: InventoryChangeTable;
  package_set: PackageSetTable;
  package_set_item: PackageSetItemTable;
  device_action: DeviceActionTable;
  status_message: StatusMessageTable;
  inventory_class: InventoryClassTable;
  collection: CollectionTable;
  collection_member: CollectionMemberTable;
  collection_membership_change: CollectionMembershipChangeTable;
  collection_revision: CollectionRevisionTable;
  client_activity_snapshot: ClientActivitySnapshotTable;
}
