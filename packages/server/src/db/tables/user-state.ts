import { ComputerKind, UserStateRecordState, UserStateStore } from '@steward/protocol';
import { bigint, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** User state: state migration points, user-state records, computer associations (ADR 0096). */
export const userStateTables = {
  dp_state_migration: {
    dp_id: text(),
    enabled: integer(),
    storage_folder: text(),
    max_clients: integer(),
    retention_days: integer(),
    min_free_mib: integer(),
    updated_at: text(),
    updated_by: text(),
  },
  user_state_record: {
    id: text(),
    source_computer_id: text(),
    source_name: text(),
    destination_computer_id: text(),
    destination_name: text(),
    state: oneOf(UserStateRecordState),
    store: oneOf(UserStateStore),
    dp_id: text(),
    /** The record's AES-256 key sealed with the site master key (ADR 0008). */
    sealed_key: text(),
    size_bytes: nullable(bigint()),
    sha256: nullable(text()),
    created_at: text(),
    captured_at: nullable(text()),
    restored_at: nullable(text()),
    expired_at: nullable(text()),
  },
  computer_association: {
    id: text(),
    source_computer_id: text(),
    source_kind: oneOf(ComputerKind),
    source_name: text(),
    destination_computer_id: text(),
    destination_kind: oneOf(ComputerKind),
    destination_name: text(),
    created_at: text(),
    created_by: text(),
  },
} as const;

export interface UserStateTables {
  dp_state_migration: TableOf<typeof userStateTables.dp_state_migration>;
  user_state_record: TableOf<typeof userStateTables.user_state_record>;
  computer_association: TableOf<typeof userStateTables.computer_association>;
}
