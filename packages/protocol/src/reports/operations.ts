import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import {
  DeploymentFailureRow,
  DeploymentFailuresQuery,
  DeploymentSummaryReportRow,
  DeploymentTimelinePoint,
  DpCompletionRow,
} from '../deployments/schemas.js';
import { DpContentStatus } from '../distribution/schemas.js';
import { IdParams, Key } from '../http/common.js';
import { defineOperations } from '../http/operation.js';

const tags = ['reports'];

/** How deployments are going: the reports and a deployment's state history. */
export const deploymentReportOperations = defineOperations({
  summary: {
    method: 'GET',
    path: '/reports/deployment-summary',
    responses: { 200: Type.Array(DeploymentSummaryReportRow) },
    permission: 'read',
    errors: [],
    summary: "Every deployment's state counts and success rate, newest first",
    tags,
  },
  failures: {
    method: 'GET',
    path: '/reports/deployment-failures',
    query: DeploymentFailuresQuery,
    responses: { 200: Type.Array(DeploymentFailureRow) },
    permission: 'read',
    errors: [ErrorCode.DEPLOYMENT_NOT_FOUND],
    summary: 'Devices that failed a deployment, with what their agent reported',
    tags,
  },
  timeline: {
    method: 'GET',
    path: '/deployments/:id/timeline',
    params: IdParams,
    responses: { 200: Type.Array(DeploymentTimelinePoint) },
    permission: 'read',
    errors: [ErrorCode.DEPLOYMENT_NOT_FOUND],
    summary: "A deployment's state counts over time, oldest first, ending with now",
    tags: ['deployments'],
  },
});

/** How content distribution is going. */
export const distributionReportOperations = defineOperations({
  status: {
    method: 'GET',
    path: '/reports/distribution-status',
    query: Type.Object(
      { package: Type.Optional(Key), dp: Type.Optional(Key) },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(DpContentStatus) },
    permission: 'read',
    errors: [ErrorCode.PACKAGE_NOT_FOUND, ErrorCode.DP_NOT_FOUND],
    summary: 'Content status rows (package by DP), optionally of one package or DP',
    tags,
  },
  dpCompletion: {
    method: 'GET',
    path: '/reports/dp-completion',
    responses: { 200: Type.Array(DpCompletionRow) },
    permission: 'read',
    errors: [],
    summary: 'Per package, the share of its DPs that hold the current version',
    tags,
  },
});
