import { MessageType, Severity } from '@steward/protocol';
import { autoId, bigint, integer, json, nullable, oneOf, text, type TableOf } from './columns.js';

/** The status domain's tables (see columns.ts for the conventions). */
export const statusTables = {
  status_message: {
    id: autoId(),
    message_id: integer(),
    severity: oneOf(Severity),
    type: oneOf(MessageType),
    component: text(),
    device_id: nullable(text()),
    /** The agent's outbox sequence number; null for messages the site raised itself. */
    device_seq: nullable(bigint()),
    machine: text(),
    site_code: text(),
    at: text(),
    received_at: text(),
    insertion_strings: json(),
    attributes: json(),
  },
} as const;

export interface StatusTables {
  status_message: StatusMessageTable;
}
export type StatusMessageTable = TableOf<typeof statusTables.status_message>;
