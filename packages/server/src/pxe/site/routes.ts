import { agentOps, ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import { implementAgent } from '../../http/agent-operations.js';
import { AgentBodyLimits } from '../../agent-api/endpoint-guard.js';
import type { DpSiteService } from '../../distribution/dp-site-service.js';
import type { DpPxeService } from './service.js';

/** PXE settings and activity of a DP: the admin API (ADR 0079). */
export function registerDpPxeRoutes(app: App, pxe: DpPxeService): void {
  implement(app, ops.dpPxe, {
    get: (req) => pxe.get(actorOf(req), req.params.id),
    update: (req) => pxe.update(actorOf(req), req.params.id, req.body),
    activity: (req) => pxe.activity(actorOf(req), req.params.id, req.query),
  });
}

/** What a DP process reports about PXE on the agent listener (DP-authenticated). */
export function registerDpPxeAgentRoutes(app: App, pxe: DpPxeService, dps: DpSiteService): void {
  implementAgent(
    app,
    agentOps.dpPxe,
    {
      activity: async (req) => {
        const dp = await dps.authenticate(req);
        await pxe.report(dp.id, req.body.entries);
      },
    },
    {
      callers: { 'distribution-point': dps.onRequest },
      bodyLimits: { activity: AgentBodyLimits.dpPxeActivity },
    },
  );
}
