import { integer, json, text, type TableOf } from './columns.js';

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
} as const;

export interface ClientHealthTables {
  client_settings_object: ClientSettingsObjectTable;
  client_settings_assignment: ClientSettingsAssignmentTable;
}
export type ClientSettingsObjectTable = TableOf<typeof clientHealthTables.client_settings_object>;
export type ClientSettingsAssignmentTable = TableOf<
  typeof clientHealthTables.client_settings_assignment
>;
