export interface ClientActivitySnapshotTable {
  collection_id: string;
  at: string;
  active: number;
  inactive: number;
}

/** The monitoring domain's tables. */
export interface MonitoringTables {
  client_activity_snapshot: ClientActivitySnapshotTable;
}
