import { AgentPackageKind } from '@steward/protocol';
import { bigint, oneOf, text, type TableOf } from './columns.js';

/** The agent-versions domain's tables (see columns.ts for the conventions). */
export const agentVersionsTables = {
  agent_version: {
    version: text(),
    created_at: text(),
    created_by: text(),
    size_bytes: bigint(),
  },
  agent_version_file: {
    version: text(),
    name: text(),
    kind: oneOf(AgentPackageKind),
    arch: text(),
    sha256: text(),
    size: bigint(),
  },
} as const;

export interface AgentVersionsTables {
  agent_version: AgentVersionTable;
  agent_version_file: AgentVersionFileTable;
}
export type AgentVersionTable = TableOf<typeof agentVersionsTables.agent_version>;
export type AgentVersionFileTable = TableOf<typeof agentVersionsTables.agent_version_file>;
