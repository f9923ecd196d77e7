import { integer, text, type TableOf } from './columns.js';

/** The monitoring domain's tables (see columns.ts for the conventions). */
export const monitoringTables = {
  client_activity_snapshot: {
    collection_id: text(),
    at: text(),
    active: integer(),
    inactive: integer(),
  },
} as const;

export interface MonitoringTables {
  client_activity_snapshot: ClientActivitySnapshotTable;
}
export type ClientActivitySnapshotTable = TableOf<typeof monitoringTables.client_activity_snapshot>;
