import { ErrorCode, NotAllowedError } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import type { App } from '../http/types.js';
import type { SiteKeys } from '../site/site-keys.js';
import type { ContentStore } from '../content/content-store.js';
import type { DeviceAuthenticator } from '../agent-api/device-auth.js';
import { BoundaryService } from './boundary-service.js';
import { registerBoundaryRoutes } from './boundary-routes.js';
import { DistributionService } from './distribution-service.js';
import { DpGroupService } from './dp-group-service.js';
import { DistributionPointService } from './dp-service.js';
import { DpSiteService } from './dp-site-service.js';
import { registerDpApiRoutes } from './dp-api.js';
import { SitePxeDecisions } from '../pxe/site-decision.js';
import { ContentLocationService, type ContentEntitlement } from './location-service.js';
import { registerContentLocationRoute, type AgentUpgradeLocator } from './agent-routes.js';
import { registerDistributionRoutes } from './routes.js';
import { DpPxeService } from '../pxe/site/service.js';
import { registerDpPxeAgentRoutes, registerDpPxeRoutes } from '../pxe/site/routes.js';
import { DpMulticastService } from '../multicast/service.js';
import { UserStateService } from '../user-state/service.js';
import {
  registerDpMulticastAgentRoutes,
  registerDpMulticastRoutes,
  registerSiteServerMulticastJoin,
} from '../multicast/routes.js';

/** Distribution points, groups, boundaries and content location, as server.ts wires them. */
export interface Distribution {
  dps: DistributionPointService;
  groups: DpGroupService;
  distribution: DistributionService;
  boundaries: BoundaryService;
  locations: ContentLocationService;
  dpSite: DpSiteService;
  pxe: DpPxeService;
  multicast: DpMulticastService;
  /** Admin API: DPs, DP groups, package distribution, boundaries, reports. */
  registerAdminRoutes(app: App): void;
  /** Agent listener: content locations (device auth) and the DP-facing API. */
  registerAgentRoutes(app: App, auth: DeviceAuthenticator): void;
  /** mp role: the site server's own DP row; every process follows `content-changed`. */
  start(opts: { siteServerUrl?: string | undefined; version: string }): Promise<void>;
  stop(): void;
}

/** A process wired without agent versions (tests of this domain alone) entitles no upgrade. */
const noAgentUpgrade: AgentUpgradeLocator = () =>
  Promise.reject(
    new NotAllowedError('this process serves no agent upgrades', ErrorCode.CONTENT_NOT_ENTITLED),
  );

export function createDistribution(
  ctx: SiteContext,
  opts: {
    keys: SiteKeys;
    store: ContentStore;
    agentUrl: () => string;
    /** What each device may download (the deployments' assignments). */
    entitlement: ContentEntitlement;
    /** Where a device downloads its agent upgrade (the agent-versions domain, ADR 0042). */
    agentUpgrade?: AgentUpgradeLocator;
  },
): Distribution {
  const distribution = new DistributionService(ctx, opts.store);
  const dps = new DistributionPointService(ctx, () => ({
    agentUrl: opts.agentUrl(),
    caFingerprint: opts.keys.caFingerprint,
  }));
  const groups = new DpGroupService(ctx, distribution);
  const boundaries = new BoundaryService(ctx);
  const locations = new ContentLocationService(ctx, opts.keys, opts.entitlement);
  const dpSite = new DpSiteService(ctx, opts.keys);
  const pxe = new DpPxeService(ctx);
  const multicast = new DpMulticastService(ctx);
  const userState = new UserStateService(ctx);
  return {
    dps,
    groups,
    distribution,
    boundaries,
    locations,
    dpSite,
    pxe,
    multicast,
    registerAdminRoutes(app) {
      registerDistributionRoutes(app, { dps, groups, distribution });
      registerDpPxeRoutes(app, pxe);
      registerDpMulticastRoutes(app, multicast);
      registerBoundaryRoutes(app, { boundaries, locations });
    },
    registerAgentRoutes(app, auth) {
      registerContentLocationRoute(app, {
        auth,
        locations,
        agentUpgrade: opts.agentUpgrade ?? noAgentUpgrade,
      });
      registerDpApiRoutes(app, {
        service: dpSite,
        store: opts.store,
        decisions: new SitePxeDecisions(ctx),
        pxeSettings: (dpId) => pxe.assigned(dpId),
        multicastSettings: (dpId) => multicast.assigned(dpId),
        stateMigration: (dpId) => userState.assigned(dpId),
      });
      registerDpPxeAgentRoutes(app, pxe, dpSite);
      registerDpMulticastAgentRoutes(app, multicast, dpSite);
      registerSiteServerMulticastJoin(app);
    },
    async start(o) {
      if (o.siteServerUrl !== undefined)
        await dps.ensureSiteServerDp({ url: o.siteServerUrl, version: o.version });
      distribution.start();
    },
    stop() {
      distribution.stop();
    },
  };
}
