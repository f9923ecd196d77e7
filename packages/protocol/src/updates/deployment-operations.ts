import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { Deployment } from '../deployments/schemas.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page, pagingFields } from '../http/paging.js';
import {
  DeploySelectedUpdatesBody,
  UpdateDeployment,
  UpdateDeploymentBody,
  UpdateDeploymentDevice,
  UpdateDeploymentMemberParams,
  UpdateDeploymentPatch,
  UpdateDeploymentStatus,
} from './deployment-schemas.js';

const tags = ['software-updates'];
const E = ErrorCode;

/** Update deployments: an update group deployed to a collection (issue 10, ADR 0056). */
export const updateDeploymentOperations = defineOperations({
  listUpdateDeployments: {
    method: 'GET',
    path: '/update-deployments',
    responses: { 200: Page(UpdateDeployment) },
    permission: 'read',
    errors: [],
    summary: 'Update deployments with their state counts',
    tags,
  },
  createUpdateDeployment: {
    method: 'POST',
    path: '/update-deployments',
    body: UpdateDeploymentBody,
    responses: { 201: UpdateDeployment },
    permission: 'deployments:write',
    errors: [
      E.UPDATE_GROUP_NOT_FOUND,
      E.UPDATE_GROUP_EMPTY,
      E.UPDATE_DEPLOYMENT_NOT_PUBLISHED,
      E.COLLECTION_NOT_FOUND,
      E.INVALID_SCHEDULE,
    ],
    summary: "Deploys an update group's published approved content to a collection",
    tags,
  },
  deploySelectedUpdates: {
    method: 'POST',
    path: '/update-deployments/selection',
    body: DeploySelectedUpdatesBody,
    responses: { 201: UpdateDeployment },
    permission: 'deployments:write',
    errors: [
      E.UPDATE_GROUP_UPDATE_NOT_FOUND,
      E.UPDATE_GROUP_NAME_TAKEN,
      E.UPDATE_DEPLOYMENT_CONTENT_MISSING,
      E.UPDATE_DEPLOYMENT_SOURCE_FAILED,
      E.COLLECTION_NOT_FOUND,
      E.INVALID_SCHEDULE,
    ],
    summary:
      'Deploys chosen updates to a collection in one step (their group is made and published)',
    tags,
  },
  getUpdateDeployment: {
    method: 'GET',
    path: '/update-deployments/:id',
    params: IdParams,
    responses: { 200: UpdateDeployment },
    permission: 'read',
    errors: [E.UPDATE_DEPLOYMENT_NOT_FOUND],
    summary: 'One update deployment (by id or name)',
    tags,
  },
  updateUpdateDeployment: {
    method: 'PATCH',
    path: '/update-deployments/:id',
    params: IdParams,
    body: UpdateDeploymentPatch,
    responses: { 200: UpdateDeployment },
    permission: 'deployments:write',
    errors: [E.UPDATE_DEPLOYMENT_NOT_FOUND, E.INVALID_SCHEDULE],
    summary: 'Changes an update deployment (enabled: false disables it on the agents at once)',
    tags,
  },
  deleteUpdateDeployment: {
    method: 'DELETE',
    path: '/update-deployments/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'deployments:write',
    errors: [E.UPDATE_DEPLOYMENT_NOT_FOUND],
    summary: 'Removes an update deployment (installed updates stay installed)',
    tags,
  },
  removeUpdateDeploymentUpdate: {
    method: 'DELETE',
    path: '/update-deployments/:id/updates/:updateId',
    params: UpdateDeploymentMemberParams,
    responses: { 200: UpdateDeployment },
    permission: 'deployments:write',
    errors: [
      E.UPDATE_DEPLOYMENT_NOT_FOUND,
      E.UPDATE_DEPLOYMENT_UPDATE_NOT_FOUND,
      E.UPDATE_DEPLOYMENT_LAST_UPDATE,
    ],
    summary: 'Removes one update from a deployment; the others continue',
    tags,
  },
  redeployFailed: {
    method: 'POST',
    path: '/update-deployments/:id/redeploy-failed',
    params: IdParams,
    responses: { 200: Type.Object({ devices: Type.Integer(), deployment: Deployment }) },
    permission: 'deployments:write',
    errors: [E.UPDATE_DEPLOYMENT_NOT_FOUND],
    summary: 'Runs the deployment again on its failed devices only (they scan first)',
    tags,
  },
  updateDeploymentStatus: {
    method: 'GET',
    path: '/update-deployments/:id/status',
    params: IdParams,
    responses: { 200: UpdateDeploymentStatus },
    permission: 'read',
    errors: [E.UPDATE_DEPLOYMENT_NOT_FOUND],
    summary: 'State counts, status by update and failed devices with their reasons',
    tags,
  },
  updateDeploymentDevices: {
    method: 'GET',
    path: '/update-deployments/:id/devices',
    params: IdParams,
    query: Type.Object({ ...pagingFields({ maxLimit: 1000 }) }, { additionalProperties: false }),
    responses: { 200: Page(UpdateDeploymentDevice) },
    permission: 'read',
    errors: [E.UPDATE_DEPLOYMENT_NOT_FOUND],
    summary: 'Each targeted device with its state per update',
    tags,
  },
});
