import {
  ClientCheckMode,
  ClientCheckName,
  ClientCheckOutcome,
  ClientCheckReport,
} from '@steward/protocol';
import { bigint, integer, json, oneOf, text, type TableOf } from './columns.js';

/** The client health domain's tables (see columns.ts for the conventions). */
export const clientHealthTables = {
  client_settings_object: {
    id: text(),
    name: text(),
    description: text(),
    priority: integer(),
    settings: json(),
    created_at: text(),
    updated_at: text(),
  },
  client_settings_assignment: {
    object_id: text(),
    collection_id: text(),
    assigned_at: text(),
  },
  client_check_run: {
    device_id: text(),
    seq: bigint(),
    at: text(),
    trigger: oneOf(ClientCheckReport.properties.trigger),
    mode: oneOf(ClientCheckMode),
    failed: integer(),
    remediated: integer(),
    results: json(),
    received_at: text(),
  },
  client_check_state: {
    device_id: text(),
    check_name: oneOf(ClientCheckName),
    outcome: oneOf(ClientCheckOutcome),
    detail: text(),
    seq: bigint(),
    at: text(),
  },
} as const;

export interface ClientHealthTables {
  client_settings_object: ClientSettingsObjectTable;
  client_settings_assignment: ClientSettingsAssignmentTable;
  client_check_run: ClientCheckRunTable;
  client_check_state: ClientCheckStateTable;
}
export type ClientCheckRunTable = TableOf<typeof clientHealthTables.client_check_run>;
export type ClientCheckStateTable = TableOf<typeof clientHealthTables.client_check_state>;
export type ClientSettingsObjectTable = TableOf<typeof clientHealthTables.client_settings_object>;
export type ClientSettingsAssignmentTable = TableOf<
  typeof clientHealthTables.client_settings_assignment
>;
