import { agentOps } from '@steward/protocol';
import { implementAgent } from '../http/agent-operations.js';
import type { App } from '../http/types.js';
import type { DeviceAuthenticator } from '../agent-api/device-auth.js';
import type { ContentLocationService } from './location-service.js';

/**
 * `GET /agent/v1/content-locations?packageVersionId=`: the DPs a device may download a version
 * from, for the address it connects from (the TLS socket's peer; a proxy in between would be the
 * address seen, which is what boundaries are drawn around), with a content access token.
 */
export function registerContentLocationRoute(
  app: App,
  deps: { auth: DeviceAuthenticator; locations: ContentLocationService },
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
    },
    { callers: { device: deps.auth.onRequest } },
  );
}
