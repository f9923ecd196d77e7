import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { defineOperations } from '../http/operation.js';
import {
  ClientFailureChart,
  ClientFailureReportQuery,
  ClientFailureRow,
  ClientFailuresQuery,
  ClientStatusByCollectionRow,
  ClientStatusDevicePage,
  ClientStatusDevicesQuery,
  ClientStatusQuery,
  ClientStatusSummary,
} from './schemas.js';

const tags = ['monitoring'];

/** Monitoring > Client status: the two client deployment dashboards and their reports. */
export const clientStatusOperations = defineOperations({
  summary: {
    method: 'GET',
    path: '/monitoring/client-status',
    query: ClientStatusQuery,
    responses: { 200: ClientStatusSummary },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: "A rollout's devices of a collection per client deployment state",
    tags,
  },
  devices: {
    method: 'GET',
    path: '/monitoring/client-status/devices',
    query: ClientStatusDevicesQuery,
    responses: { 200: ClientStatusDevicePage },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'The devices of a dashboard (of one state), with reason and latest install attempt',
    tags,
  },
  failures: {
    method: 'GET',
    path: '/monitoring/client-status/failures',
    query: ClientFailuresQuery,
    responses: { 200: ClientFailureChart },
    permission: 'read',
    errors: [],
    summary: 'Failed client deployments (pushes and agent upgrades) per day, week or month',
    tags,
  },
  byCollectionReport: {
    method: 'GET',
    path: '/reports/client-deployment-status',
    query: Type.Object(
      { rollout: Type.Optional(ClientStatusQuery.properties.rollout) },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(ClientStatusByCollectionRow) },
    permission: 'read',
    errors: [],
    summary: 'Report: client deployment status by collection',
    tags: ['reports'],
  },
  failuresReport: {
    method: 'GET',
    path: '/reports/client-deployment-failures',
    query: ClientFailureReportQuery,
    responses: { 200: Type.Array(ClientFailureRow) },
    permission: 'read',
    errors: [],
    summary: 'Report: failed client deployments with their reasons over a period, newest first',
    tags: ['reports'],
  },
});
