import { agentOps, ConflictError, ErrorCode, ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import { implementAgent } from '../http/agent-operations.js';
import type { UserStateService } from './service.js';
import type { UserStateRunService } from './run-service.js';

/** User-state records, computer associations and the SMP role of DPs: the admin API. */
export function registerUserStateRoutes(app: App, service: UserStateService): void {
  implement(app, ops.dpStateMigration, {
    get: (req) => service.getPoint(actorOf(req), req.params.id),
    update: (req) => service.updatePoint(actorOf(req), req.params.id, req.body),
  });
  implement(app, ops.userState, {
    list: (req) => service.list(actorOf(req), req.query),
    get: (req) => service.get(actorOf(req), req.params.id),
    delete: (req) => service.delete(actorOf(req), req.params.id),
    associations: (req) => service.associations(actorOf(req)),
    associate: (req) => service.associate(actorOf(req), req.body),
    dissociate: (req) => service.dissociate(actorOf(req), req.params.id),
  });
}

/** A run's user-state calls on the agent listener (its token checked before the body). */
export function registerUserStateRunRoutes(app: App, run: UserStateRunService): void {
  implementAgent(
    app,
    agentOps.userStateRun,
    {
      capture: (req) => run.capture(req),
      captured: (req) => run.captured(req, req.params.id, req.body),
      restore: (req) => run.restore(req),
      restored: (req) => run.restored(req, req.params.id),
    },
    { callers: { 'content-token': run.auth.hook }, bodyLimits: { captured: 4096 } },
  );
}

/**
 * The site server's own DP is no state migration point (ADR 0096): its agent listener answers
 * the point's routes with SMP_SITE_SERVER_DP (a run only ever gets a standalone DP's URL).
 */
export function registerSiteServerStateMigration(app: App): void {
  const refuse = () =>
    Promise.reject(
      new ConflictError(
        ErrorCode.SMP_SITE_SERVER_DP,
        "the site server's own distribution point is no state migration point",
      ),
    );
  implementAgent(app, agentOps.stateMigrationPoint, { put: refuse, get: refuse });
}
