import {
  agentOps,
  type DpMulticastAssigned,
  type DpPxeAssigned,
  type DpStateMigrationAssigned,
} from '@steward/protocol';
import { implementAgent } from '../http/agent-operations.js';
import type { App } from '../http/types.js';
import { isSha256, type ContentStore } from '../content/content-store.js';
import { contentFileNotFound, sendStoredFile } from '../content/serve-file.js';
import type { DpSiteService } from './dp-site-service.js';
import type { SitePxeDecisions } from '../pxe/site-decision.js';
import { AgentBodyLimits } from '../agent-api/endpoint-guard.js';

/** Where the request came from, as a DP's registration message shows it. */
function remoteOf(address: string | undefined): string {
  return (address ?? 'unknown').replace(/^::ffff:/, '');
}

/**
 * The DP-facing site API on the agent listener (HTTPS with the site CA): `steward server --roles
 * dp` processes register, poll their assignments, pull files (Range, resumable) and report.
 */
export function registerDpApiRoutes(
  app: App,
  deps: {
    service: DpSiteService;
    store: ContentStore;
    /** The site's PXE decisions from real deployments (ADR 0076), asked by DPs. */
    decisions: SitePxeDecisions;
    /** The DP's PXE settings from the site (ADR 0079), sent with its assignments. */
    pxeSettings: (dpId: string) => Promise<DpPxeAssigned | undefined>;
    /** The DP's multicast settings from the site (ADR 0088), sent with its assignments. */
    multicastSettings: (dpId: string) => Promise<DpMulticastAssigned | undefined>;
    /** The DP's state migration point role and the records it keeps (ADR 0096). */
    stateMigration: (dpId: string) => Promise<DpStateMigrationAssigned | undefined>;
  },
): void {
  const { service, store, decisions } = deps;
  implementAgent(
    app,
    agentOps.distributionPoint,
    {
      register: (req) => service.register(req.body, remoteOf(req.socket.remoteAddress)),
      assignments: async (req) => {
        const dp = await service.authenticate(req);
        const pxe = await deps.pxeSettings(dp.id);
        const multicast = await deps.multicastSettings(dp.id);
        const stateMigration = await deps.stateMigration(dp.id);
        return {
          ...(await service.assignments(dp)),
          ...(pxe ? { pxe } : {}),
          ...(multicast ? { multicast } : {}),
          ...(stateMigration ? { stateMigration } : {}),
        };
      },
      status: async (req) => {
        await service.status(await service.authenticate(req), req.body);
      },
      file: async (req, reply) => {
        const dp = await service.authenticate(req);
        const { sha256 } = req.params;
        if (!isSha256(sha256) || !(await service.mayFetch(dp, sha256)))
          throw contentFileNotFound(sha256);
        return sendStoredFile(reply, {
          store,
          sha256,
          rangeHeader: req.headers.range,
          onPartial: (from) => req.log.info({ dp: dp.id, sha256, from }, 'DP resumes a file'),
        });
      },
      pxeDecision: async (req) => {
        await service.authenticate(req);
        return decisions.decide(req.body);
      },
    },
    {
      // DP routes authenticate in onRequest: a stranger is refused before any body is read.
      callers: { 'distribution-point': service.onRequest },
      bodyLimits: {
        register: AgentBodyLimits.unauthenticated,
        status: AgentBodyLimits.dpStatus,
      },
    },
  );
}
