import type { Json, AutoId } from './columns.js';

export interface AuditLogTable {
  id: AutoId;
  at: string;
  user_name: string;
  action: string;
  target_type: string;
  target_id: string;
  details: Json;
}

/** The audit domain's tables. */
export interface AuditTables {
  audit_log: AuditLogTable;
}
