import { ops } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { actorOf } from '../../http/auth.js';
import { implement } from '../../http/operations.js';
import type { UpdateApprovalService } from './service.js';

/** Approved-update lists between sites. */
export function registerUpdateApprovalRoutes(app: App, approvals: UpdateApprovalService): void {
  implement(app, ops.updateApprovals, {
    exportApprovals: (req) => approvals.exportList(actorOf(req), req.query.groups),
    importApprovals: (req) =>
      approvals.importList(actorOf(req), req.body, req.query.dryRun ?? false),
  });
}
