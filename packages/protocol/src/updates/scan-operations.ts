import { ErrorCode } from '../common/errors.js';
import { IdParams } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  DeviceUpdateCompliance,
  DeviceUpdatesQuery,
  ScanAuditEntry,
  ScanAuditQuery,
  ScanCatalog,
  ScanCatalogQuery,
  UpdateComplianceSummary,
  UpdateComplianceOverview,
  UpdateComplianceOverviewQuery,
  UpdateDevicesQuery,
} from './scan-schemas.js';

const tags = ['software-updates'];

/** Compliance of updates on devices, and the scan audit (issue 10, ADRs 0046-0047). */
export const updateComplianceOperations = defineOperations({
  updateCompliance: {
    method: 'GET',
    path: '/updates/:id/compliance',
    params: IdParams,
    responses: { 200: UpdateComplianceSummary },
    permission: 'read',
    errors: [ErrorCode.UPDATE_COMPLIANCE_UPDATE_NOT_FOUND],
    summary: 'How many machines have an update installed, need it, hold it back, or not',
    tags,
  },
  updateDevices: {
    method: 'GET',
    path: '/updates/:id/devices',
    params: IdParams,
    query: UpdateDevicesQuery,
    responses: { 200: Page(DeviceUpdateCompliance) },
    permission: 'read',
    errors: [ErrorCode.UPDATE_COMPLIANCE_UPDATE_NOT_FOUND],
    summary: "The machines in one state for an update (from each device's scan, else inventory)",
    tags,
  },
  deviceUpdates: {
    method: 'GET',
    path: '/devices/:id/updates',
    params: IdParams,
    query: DeviceUpdatesQuery,
    responses: { 200: Page(DeviceUpdateCompliance) },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'The updates installed on, required by or held back on one device',
    tags,
  },
  scanAudit: {
    method: 'GET',
    path: '/update-scans',
    query: ScanAuditQuery,
    responses: { 200: Page(ScanAuditEntry) },
    permission: 'read',
    errors: [],
    summary:
      'Which devices scanned the current catalog, and which did not (never, stale, overdue, failed)',
    tags,
  },
  overview: {
    method: 'GET',
    path: '/update-compliance',
    query: UpdateComplianceOverviewQuery,
    responses: { 200: UpdateComplianceOverview },
    permission: 'read',
    errors: [],
    summary:
      'Fleet compliance with the current catalog: overall, per source, classification and severity, and the most required updates',
    tags,
  },
});

/** The update catalog as the agent fetches it for its scan (ADR 0046). */
export const updateScanAgentOperations = defineOperations({
  catalog: {
    method: 'GET',
    path: '/agent/v1/update-catalog',
    query: ScanCatalogQuery,
    responses: { 200: ScanCatalog },
    permission: 'device',
    errors: [],
    summary: 'The current updates and their binaries: whole, or what changed since a version',
    tags: ['agent'],
  },
});
