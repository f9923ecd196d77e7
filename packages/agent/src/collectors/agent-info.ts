import type { InventoryInstance } from '@steward/protocol';
import { AGENT_VERSION } from '../version.js';
import type { ClassCollector, CollectContext } from './types.js';

export const agentCollector: ClassCollector = {
  className: 'agent',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    return [{ version: AGENT_VERSION, startedAt: ctx.startedAt.toISOString() }];
  },
};
