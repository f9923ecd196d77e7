import { autoId, json, text, type TableOf } from './columns.js';

/** The audit domain's tables (see columns.ts for the conventions). */
export const auditTables = {
  audit_log: {
    id: autoId(),
    at: text(),
    user_name: text(),
    action: text(),
    target_type: text(),
    target_id: text(),
    details: json(),
  },
} as const;

export interface AuditTables {
  audit_log: AuditLogTable;
}
export type AuditLogTable = TableOf<typeof auditTables.audit_log>;
