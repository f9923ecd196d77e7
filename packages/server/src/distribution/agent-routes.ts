import { agentOps, type AgentUpgradeLocations } from '@steward/protocol';
import { implementAgent } from '../http/agent-operations.js';
import type { App } from '../http/types.js';
import type { DeviceAuthenticator } from '../agent-api/device-auth.js';
import type { ContentLocationService } from './location-service.js';

export type AgentUpgradeLocator = (q: {
  deviceId: string;
  sha256: string;
  remoteAddress: string;
}) => Promise<AgentUpgradeLocations>;

/**
 * `GET /agent/v1/content-locations?packageVersionId=`: the DPs a device may download a version
 * from, for the address it connects from (the TLS socket's peer; a proxy in between would be the
 * address seen, which is what boundaries are drawn around), with a content access token.
 */
export function registerContentLocationRoute(
  app: App,
  deps: {
    auth: DeviceAuthenticator;
    locations: ContentLocationService;
    /** The agent-versions domain's answer for one package of the device's upgrade target. */
    agentUpgrade: AgentUpgradeLocator;
  },
): void {
  implementAgent(
    app,
    agentOps.distribution,
    {
      contentLocations: async (req) => {
        const { deviceId } = await deps.auth.authenticate(req);
        return deps.locations.forDevice(
          deviceId,
          req.query.packageVersionId,
          req.socket.remoteAddress ?? '',
        );
      },
      agentUpgradeLocations: async (req) => {
        const { deviceId } = await deps.auth.authenticate(req);
        return deps.agentUpgrade({
          deviceId,
          sha256: req.query.sha256,
          remoteAddress: req.socket.remoteAddress ?? '',
        });
      },
    },
    { callers: { device: deps.auth.onRequest } },
  );
}
