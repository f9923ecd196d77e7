import { MulticastSessionState } from '@steward/protocol';
import { bigint, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** Multicast from distribution points, managed on the site (issue 11, ADR 0088). */
export const multicastTables = {
  dp_multicast: {
    dp_id: text(),
    enabled: integer(),
    address_first: text(),
    address_last: text(),
    port_first: integer(),
    port_last: integer(),
    min_clients: integer(),
    start_timeout_seconds: integer(),
    max_rate_mbps: integer(),
    updated_at: text(),
    updated_by: text(),
  },
  dp_multicast_session: {
    dp_id: text(),
    id: text(),
    sha256: text(),
    file_bytes: bigint(),
    address: text(),
    port: integer(),
    state: oneOf(MulticastSessionState),
    clients: integer(),
    receivers: integer(),
    bytes_sent: bigint(),
    created_at: text(),
    started_at: nullable(text()),
    ended_at: nullable(text()),
    detail: text(),
  },
} as const;

export interface MulticastTables {
  dp_multicast: TableOf<typeof multicastTables.dp_multicast>;
  dp_multicast_session: TableOf<typeof multicastTables.dp_multicast_session>;
}
