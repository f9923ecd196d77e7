import { ErrorCode } from '../common/errors.js';
import { IdParams } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Type } from '@sinclair/typebox';
import {
  ClientCheckFailureRow,
  ClientCheckFailuresQuery,
  ClientCheckSummary,
  DeviceClientCheck,
} from './schemas.js';

const tags = ['client-health'];

/** Client check results (the ccmeval analog): per device, and summarised per collection. */
export const clientCheckOperations = defineOperations({
  device: {
    method: 'GET',
    path: '/devices/:id/client-check',
    params: IdParams,
    responses: { 200: DeviceClientCheck },
    permission: 'read',
    errors: [ErrorCode.DEVICE_NOT_FOUND],
    summary: "A device's latest client check and its recent runs",
    tags,
  },
  collectionSummary: {
    method: 'GET',
    path: '/collections/:id/client-check',
    params: IdParams,
    responses: { 200: ClientCheckSummary },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Per check, how many members passed, failed or were remediated at their latest check',
    tags,
  },
  failures: {
    method: 'GET',
    path: '/reports/client-check-failures',
    query: ClientCheckFailuresQuery,
    responses: { 200: Type.Array(ClientCheckFailureRow) },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Report: clients whose latest client check failed the given check, newest first',
    tags: ['reports'],
  },
});
