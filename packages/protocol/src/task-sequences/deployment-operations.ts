import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  ListTaskSequenceDeploymentsQuery,
  RunParams,
  TaskSequenceDeployment,
  TaskSequenceDeploymentBody,
  TaskSequenceRun,
  TaskSequenceRuns,
  UpdateTaskSequenceDeploymentRequest,
} from './deployments.js';

const tags = ['task-sequences'];
const notFound = ErrorCode.TASK_SEQUENCE_DEPLOYMENT_NOT_FOUND;
const invalid = ErrorCode.TASK_SEQUENCE_DEPLOYMENT_INVALID;

/** Task-sequence deployments and their progress (issue 11, ADR 0076). */
export const taskSequenceDeploymentOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/task-sequence-deployments',
    query: ListTaskSequenceDeploymentsQuery,
    responses: { 200: Page(TaskSequenceDeployment) },
    permission: 'read',
    errors: [],
    summary: 'Task-sequence deployments with the state counts of their runs',
    tags,
  },
  create: {
    method: 'POST',
    path: '/task-sequence-deployments',
    body: TaskSequenceDeploymentBody,
    responses: { 201: TaskSequenceDeployment },
    permission: 'deployments:write',
    errors: [
      ErrorCode.TASK_SEQUENCE_NOT_FOUND,
      ErrorCode.COLLECTION_NOT_FOUND,
      ErrorCode.TASK_SEQUENCE_DEPLOYMENT_REFERENCE_NOT_FOUND,
      invalid,
    ],
    summary: 'Deploys one version of a task sequence to a collection',
    tags,
  },
  get: {
    method: 'GET',
    path: '/task-sequence-deployments/:id',
    params: IdParams,
    responses: { 200: TaskSequenceDeployment },
    permission: 'read',
    errors: [notFound],
    summary: 'One task-sequence deployment',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/task-sequence-deployments/:id',
    params: IdParams,
    body: UpdateTaskSequenceDeploymentRequest,
    responses: { 200: TaskSequenceDeployment },
    permission: 'deployments:write',
    errors: [notFound, invalid],
    summary: 'Changes a deployment (purpose, dates, availability, rerun, enabled, PXE password)',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/task-sequence-deployments/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'deployments:write',
    errors: [notFound],
    summary: 'Deletes a task-sequence deployment and its run records',
    tags,
  },
  runs: {
    method: 'GET',
    path: '/task-sequence-deployments/:id/runs',
    params: IdParams,
    responses: { 200: TaskSequenceRuns },
    permission: 'read',
    errors: [notFound],
    summary: "The live progress of a deployment: every member's run and the counts per state",
    tags,
  },
  run: {
    method: 'GET',
    path: '/task-sequence-deployments/:id/runs/:deviceId',
    params: RunParams,
    responses: { 200: TaskSequenceRun },
    permission: 'read',
    errors: [notFound, ErrorCode.NOT_FOUND],
    summary:
      "One device's run of a deployment with its step log (status, times, exit code, output tail)",
    tags,
  },
  deviceRuns: {
    method: 'GET',
    path: '/devices/:id/task-sequence-runs',
    params: IdParams,
    responses: { 200: Type.Array(TaskSequenceRun) },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: "A device's task-sequence runs (one per deployment), with their step history",
    tags,
  },
});
