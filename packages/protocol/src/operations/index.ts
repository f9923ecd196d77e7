import { auditOperations, statusOperations } from './status.js';
import { deviceOperations } from './devices.js';
import { siteOperations } from './site.js';
import { deploymentOperations, phasedDeploymentOperations } from './deployments.js';
import { maintenanceWindowOperations, programOperations } from './programs.js';
import { collectionOperations } from './collections.js';
import { enrolmentOperations, inventoryOperations } from './inventory.js';
import { authOperations, userOperations } from './users.js';
import { contentOperations, packageOperations } from './content.js';
import {
  distributionPointOperations,
  dpGroupOperations,
  packageDistributionOperations,
} from './distribution.js';
import { boundaryGroupOperations, boundaryOperations } from './boundaries.js';
import { deploymentReportOperations, distributionReportOperations } from './reports.js';
import type { Operation, OperationGroup } from './operation.js';
import {
  contentFileOperations,
  contentLocationOperations,
  deviceAgentOperations,
} from './agent.js';
import { distributionPointAgentOperations } from './distribution-point-agent.js';

export * from './operation.js';
export * from './common.js';
export { AUDIT_PAGE_SIZE, StatusCatalogEntry } from './status.js';
export { FileBytes, FileParams } from './agent.js';
export * from './request.js';
export { ARCHIVE_MEDIA_TYPES, CONTENT_UPLOAD_MAX_BYTES, GZIP_MEDIA_TYPES } from './content.js';

/**
 * The admin API, one group per domain: `ops.devices.list` is `GET /devices`. The server
 * registers its routes from these, the client calls them, the OpenAPI document describes them.
 */
export const ops = {
  site: siteOperations,
  auth: authOperations,
  users: userOperations,
  enrolment: enrolmentOperations,
  devices: deviceOperations,
  inventory: inventoryOperations,
  collections: collectionOperations,
  programs: programOperations,
  maintenanceWindows: maintenanceWindowOperations,
  deployments: deploymentOperations,
  phasedDeployments: phasedDeploymentOperations,
  status: statusOperations,
  audit: auditOperations,
  packages: packageOperations,
  content: contentOperations,
  packageDistribution: packageDistributionOperations,
  distributionPoints: distributionPointOperations,
  dpGroups: dpGroupOperations,
  boundaries: boundaryOperations,
  boundaryGroups: boundaryGroupOperations,
  deploymentReports: deploymentReportOperations,
  distributionReports: distributionReportOperations,
} as const;

/** Every operation of the table, flattened. */
export function allOperations(): Operation[] {
  const groups: readonly OperationGroup[] = Object.values(ops);
  return groups.flatMap((group) => Object.values(group));
}
export * from './response-check.js';

/**
 * The agent API, served on the agent listener (HTTPS with the site CA), one group per place that
 * serves it: `agentOps.device.policy` is `GET /agent/v1/policy`. Paths are whole (the listener
 * has no common prefix). The server registers these routes from the table (`implementAgent`);
 * the agent, the DP process and the simulator call them through their own transports with
 * `requestOf` and `checkAnswer`.
 */
export const agentOps = {
  device: deviceAgentOperations,
  distribution: contentLocationOperations,
  content: contentFileOperations,
  distributionPoint: distributionPointAgentOperations,
} as const;

/** Every operation of the agent API, flattened. */
export function allAgentOperations(): Operation[] {
  const groups: readonly OperationGroup[] = Object.values(agentOps);
  return groups.flatMap((group) => Object.values(group));
}

/**
 * The device routes' paths, read from the table, for tests that address a route by hand
 * (partial bodies, raw sockets, the WebSocket upgrade). Code calls the operations instead.
 */
export const AgentPaths = {
  enroll: agentOps.device.enroll.path,
  policy: agentOps.device.policy.path,
  reports: agentOps.device.reports.path,
  heartbeat: agentOps.device.heartbeat.path,
  push: agentOps.device.push.path,
} as const;
