import type { SiteContext } from '../context.js';
import type { App } from '../http/types.js';
import type { PushHub } from '../push/push-hub.js';
import type { SiteKeys } from '../site/site-keys.js';
import { AssignmentService } from './assignments.js';
import { MaintenanceWindowService } from './maintenance-windows.js';
import { propagateMembershipChanges } from './membership-watch.js';
import { DeploymentNotifier } from './notify.js';
import { registerProgramRoutes } from './program-routes.js';
import { ProgramService } from './program-service.js';
import { registerDeploymentRoutes } from './routes.js';
import { DeploymentService } from './service.js';
import { registerMaintenanceWindowRoutes } from './window-routes.js';
import { collectionsDeploying } from './repository/targets.js';

export interface DeploymentServices {
  notifier: DeploymentNotifier;
  programs: ProgramService;
  deployments: DeploymentService;
  windows: MaintenanceWindowService;
  assignments: AssignmentService;
  /** Scheduler job: membership changes reach the devices' assignments. */
  propagateMembershipChanges(): Promise<void>;
  stop(): void;
}

/** Programs, deployments, maintenance windows and the agents' assignments, wired together. */
export function createDeploymentServices(
  ctx: SiteContext,
  push: PushHub,
  keys: SiteKeys,
  /** One process per site (the scheduler's) tells devices about new content versions. */
  options: { followContentVersions?: boolean } = {},
): DeploymentServices {
  const assignments = new AssignmentService(ctx, keys);
  const notifier = new DeploymentNotifier(ctx, push, (e) => assignments.drop(e));
  // A new current version changes the manifest in the assignments of every device targeted by
  // a program of that package: "clients always get the current version" without waiting for
  // their next policy poll. Devices whose DPs do not hold it yet wait for content and retry.
  const unfollow = options.followContentVersions
    ? ctx.bus.subscribe('content-changed', ({ packageId }) => {
        void collectionsDeploying(ctx.db.kysely, { packageId })
          .then((ids) => notifier.collectionsChanged(ids, 'system'))
          .catch((err: unknown) =>
            ctx.log.warn({ err, packageId }, 'could not notify devices of a new content version'),
          );
      })
    : () => undefined;
  return {
    notifier,
    programs: new ProgramService(ctx, notifier),
    deployments: new DeploymentService(ctx, notifier),
    windows: new MaintenanceWindowService(ctx, notifier),
    assignments,
    propagateMembershipChanges: () => propagateMembershipChanges(ctx, notifier),
    stop: () => {
      unfollow();
      assignments.stop();
    },
  };
}

/** The admin API routes of programs, deployments (with monitoring) and maintenance windows. */
export function registerDeploymentAdminRoutes(app: App, s: DeploymentServices): void {
  registerProgramRoutes(app, s.programs);
  registerDeploymentRoutes(app, s.deployments);
  registerMaintenanceWindowRoutes(app, s.windows);
}
