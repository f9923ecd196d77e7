import { AgentPackageKind, AgentUpgradeState, ClientRollout } from '@steward/protocol';
import { bigint, nullable, oneOf, text, type TableOf } from './columns.js';

/** The agent-versions domain's tables (see columns.ts for the conventions). */
export const agentVersionsTables = {
  agent_version: {
    version: text(),
    created_at: text(),
    created_by: text(),
    size_bytes: bigint(),
    /** The content-library package holding its files (ADR 0042); null until first distributed. */
    package_id: nullable(text()),
  },
  agent_version_file: {
    version: text(),
    name: text(),
    kind: oneOf(AgentPackageKind),
    arch: text(),
    sha256: text(),
    size: bigint(),
  },
  agent_upgrade: {
    device_id: text(),
    attempt_id: text(),
    from_version: nullable(text()),
    to_version: text(),
    rollout: oneOf(ClientRollout),
    state: oneOf(AgentUpgradeState),
    scheduled_for: nullable(text()),
    started_at: text(),
    updated_at: text(),
    finished_at: nullable(text()),
    error_code: nullable(text()),
    reason: nullable(text()),
    received_at: text(),
  },
} as const;

export interface AgentVersionsTables {
  agent_version: AgentVersionTable;
  agent_version_file: AgentVersionFileTable;
  agent_upgrade: AgentUpgradeTable;
}
export type AgentVersionTable = TableOf<typeof agentVersionsTables.agent_version>;
export type AgentVersionFileTable = TableOf<typeof agentVersionsTables.agent_version_file>;
export type AgentUpgradeTable = TableOf<typeof agentVersionsTables.agent_upgrade>;
