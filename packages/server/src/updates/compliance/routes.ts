import { agentOps, ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import { implementAgent } from '../../http/agent-operations.js';
import type { DeviceAuthenticator } from '../../agent-api/device-auth.js';
import type { UpdateComplianceService } from './service.js';

/** Compliance and the scan audit on the admin API. */
export function registerUpdateComplianceRoutes(app: App, svc: UpdateComplianceService): void {
  implement(app, ops.updateCompliance, {
    updateCompliance: (req) => svc.updateCompliance(actorOf(req), req.params.id),
    updateDevices: (req) => svc.updateDevices(actorOf(req), req.params.id, req.query),
    deviceUpdates: (req) => svc.deviceUpdates(actorOf(req), req.params.id, req.query),
    scanAudit: (req) => svc.scanAudit(actorOf(req), req.query),
    overview: (req) => svc.overview(actorOf(req), req.query),
  });
}

/** The catalog for the agent's scan, on the agent listener (ADR 0046). */
export function registerUpdateScanAgentRoutes(
  app: App,
  deps: { auth: DeviceAuthenticator; svc: UpdateComplianceService },
): void {
  implementAgent(
    app,
    agentOps.updateScan,
    {
      catalog: async (req) => {
        await deps.auth.authenticate(req);
        return deps.svc.catalogFor(req.query.since);
      },
    },
    { callers: { device: deps.auth.onRequest } },
  );
}
