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

export * from './operation.js';
export * from './common.js';
export { AUDIT_PAGE_SIZE, StatusCatalogEntry } from './status.js';
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
