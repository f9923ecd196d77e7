import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import type { CustomUpdateService } from './service.js';
import type { CustomUpdateComplianceService } from './compliance-service.js';

/** Custom (third-party) updates (ADR 0059). */
export function registerCustomUpdateRoutes(
  app: App,
  custom: CustomUpdateService,
  compliance: CustomUpdateComplianceService,
): void {
  implement(app, ops.customUpdates, {
    listCustomUpdates: (req) => custom.list(actorOf(req), req.query),
    createCustomUpdate: (req) => custom.create(actorOf(req), req.body),
    getCustomUpdate: (req) => custom.get(actorOf(req), req.params.id),
    updateCustomUpdate: (req) => custom.update(actorOf(req), req.params.id, req.body),
    deleteCustomUpdate: (req) => custom.delete(actorOf(req), req.params.id),
    customUpdateCompliance: (req) => compliance.compliance(actorOf(req), req.params.id),
    customUpdateDevices: (req) => compliance.devices(actorOf(req), req.params.id, req.query),
  });
}
