import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { defineOperations } from '../http/operation.js';
import {
  ActivityCheckRun,
  CollectionScopeQuery,
  InactiveClientRow,
  InventoryOverdueRow,
} from './schemas.js';

/** Client activity (issue 9, ADR 0029): the site's check on quiet devices and its reports. */
export const clientActivityOperations = defineOperations({
  runCheck: {
    method: 'POST',
    path: '/monitoring/client-activity/check',
    responses: { 200: ActivityCheckRun },
    permission: 'devices:write',
    errors: [],
    summary:
      'Runs the activity check now: ping and probe quiet devices, mark obsolete ones (and remove them if the site says so)',
    tags: ['monitoring'],
  },
  inactive: {
    method: 'GET',
    path: '/reports/inactive-clients',
    query: CollectionScopeQuery,
    responses: { 200: Type.Array(InactiveClientRow) },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Report: inactive clients, with when each of the five signals was last seen',
    tags: ['reports'],
  },
  inventoryOverdue: {
    method: 'GET',
    path: '/reports/inventory-overdue',
    query: CollectionScopeQuery,
    responses: { 200: Type.Array(InventoryOverdueRow) },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary:
      "Report: clients whose hardware inventory did not run within their resultant client settings' schedule",
    tags: ['reports'],
  },
});
