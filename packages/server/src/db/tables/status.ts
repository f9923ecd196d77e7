import type { ColumnType } from 'kysely';
import type { Json, AutoId } from './columns.js';

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

/** The status domain's tables. */
export interface StatusTables {
  status_message: StatusMessageTable;
}
