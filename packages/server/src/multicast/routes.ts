import { agentOps, ConflictError, ErrorCode, ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import { implementAgent } from '../http/agent-operations.js';
import { AgentBodyLimits } from '../agent-api/endpoint-guard.js';
import type { DpSiteService } from '../distribution/dp-site-service.js';
import type { DpMulticastService } from './service.js';

/** Multicast settings and sessions of a DP: the admin API (ADR 0088). */
export function registerDpMulticastRoutes(app: App, multicast: DpMulticastService): void {
  implement(app, ops.dpMulticast, {
    get: (req) => multicast.get(actorOf(req), req.params.id),
    update: (req) => multicast.update(actorOf(req), req.params.id, req.body),
    sessions: (req) => multicast.sessions(actorOf(req), req.params.id, req.query),
  });
}

/** What a DP process reports about its sessions on the agent listener (DP-authenticated). */
export function registerDpMulticastAgentRoutes(
  app: App,
  multicast: DpMulticastService,
  dps: DpSiteService,
): void {
  implementAgent(
    app,
    agentOps.dpMulticast,
    {
      report: async (req) => {
        const dp = await dps.authenticate(req);
        await multicast.report(dp.id, dp.name, req.body.sessions);
      },
    },
    {
      callers: { 'distribution-point': dps.onRequest },
      bodyLimits: { report: AgentBodyLimits.dpMulticastReport },
    },
  );
}

/**
 * The site server's own DP sends no multicast (ADR 0088): its agent listener answers the join
 * with MULTICAST_UNAVAILABLE, which a client takes as "download by HTTP".
 */
export function registerSiteServerMulticastJoin(app: App): void {
  implementAgent(app, agentOps.multicast, {
    join: () =>
      Promise.reject(
        new ConflictError(
          ErrorCode.MULTICAST_UNAVAILABLE,
          "the site server's own distribution point sends no multicast: download by HTTP",
        ),
      ),
  });
}
