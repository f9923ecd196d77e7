import { DiscoveredMemberRuleKind, SweepState, SweepTrigger } from '@steward/protocol';
import { defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The discovery domain's tables (see columns.ts for the conventions). */
export const discoveryTables = {
  discovery_sweep: {
    id: text(),
    state: oneOf(SweepState),
    trigger: oneOf(SweepTrigger),
    targets: text(),
    ports: text(),
    icmp: integer(),
    total: integer(),
    done: defaulted(integer()),
    found: defaulted(integer()),
    requested_by: text(),
    started_at: text(),
    progress_at: text(),
    finished_at: nullable(text()),
    error: nullable(text()),
    cancel_requested_by: nullable(text()),
  },
  discovered_machine: {
    address: text(),
    address_key: text(),
    mac: nullable(text()),
    dns_name: nullable(text()),
    open_ports: text(),
    pingable: integer(),
    ssh_banner: nullable(text()),
    os_guess: nullable(text()),
    first_seen_at: text(),
    last_seen_at: text(),
    last_sweep_id: text(),
    device_id: nullable(text()),
  },
  /** Discovered machines included in a collection by address (ADR 0030). */
  discovered_collection_member: {
    collection_id: text(),
    address: text(),
    added_at: text(),
    added_by: text(),
  },
  /** Discovered machines included in a collection by rule, evaluated on read (ADR 0038). */
  discovered_collection_rule: {
    id: text(),
    collection_id: text(),
    kind: oneOf(DiscoveredMemberRuleKind),
    value: text(),
    added_at: text(),
    added_by: text(),
  },
} as const;

export interface DiscoveryTables {
  discovery_sweep: DiscoverySweepTable;
  discovered_machine: DiscoveredMachineTable;
  discovered_collection_member: DiscoveredCollectionMemberTable;
  discovered_collection_rule: DiscoveredCollectionRuleTable;
}
export type DiscoverySweepTable = TableOf<typeof discoveryTables.discovery_sweep>;
export type DiscoveredMachineTable = TableOf<typeof discoveryTables.discovered_machine>;
export type DiscoveredCollectionMemberTable = TableOf<
  typeof discoveryTables.discovered_collection_member
>;
export type DiscoveredCollectionRuleTable = TableOf<
  typeof discoveryTables.discovered_collection_rule
>;
