import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, Key, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  CreatePhasedDeploymentRequest,
  Deployment,
  DeploymentBody,
  DeploymentDeviceState,
  DeploymentSummary,
  ExtraAssignmentRequest,
  HaltPhasedDeploymentRequest,
  ListDeploymentDevicesQuery,
  PhasedDeployment,
  RerunDeploymentRequest,
  UpdateDeploymentRequest,
} from './schemas.js';

const tags = ['deployments'];
const notFound = [ErrorCode.DEPLOYMENT_NOT_FOUND];
/** Changes refused on a deployment an update deployment owns (ADR 0056): made through it. */
const owned = [ErrorCode.DEPLOYMENT_OWNED_BY_UPDATE_DEPLOYMENT];
const settingsErrors = [
  ErrorCode.PROGRAM_NOT_FOUND,
  ErrorCode.COLLECTION_NOT_FOUND,
  ErrorCode.CONTENT_MISSING,
  ErrorCode.INVALID_SCHEDULE,
  ErrorCode.SCHEDULE_IN_PAST,
];

/** Deployments: a program offered or required on a collection, and how it is going. */
export const deploymentOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/deployments',
    query: Type.Object(
      {
        program: Type.Optional(Key),
        collection: Type.Optional(Key),
        package: Type.Optional(Key),
      },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(Deployment) },
    permission: 'read',
    errors: [],
    summary: 'Deployments, optionally of one program, collection or package',
    tags,
  },
  create: {
    method: 'POST',
    path: '/deployments',
    body: DeploymentBody,
    responses: { 201: Deployment },
    permission: 'deployments:write',
    errors: settingsErrors,
    summary: 'Deploys a program to a collection',
    tags,
  },
  get: {
    method: 'GET',
    path: '/deployments/:id',
    params: IdParams,
    responses: { 200: Deployment },
    permission: 'read',
    errors: notFound,
    summary: 'One deployment with its summary',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/deployments/:id',
    params: IdParams,
    body: UpdateDeploymentRequest,
    responses: { 200: Deployment },
    permission: 'deployments:write',
    errors: [...notFound, ...owned, ErrorCode.DEPLOYMENT_PHASED, ...settingsErrors],
    summary: 'Changes the settings given of a deployment',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/deployments/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'deployments:write',
    errors: [...notFound, ...owned, ErrorCode.DEPLOYMENT_PHASED],
    summary: 'Deletes a deployment',
    tags,
  },
  rerun: {
    method: 'POST',
    path: '/deployments/:id/rerun',
    params: IdParams,
    body: RerunDeploymentRequest,
    responses: { 200: Deployment },
    permission: 'deployments:write',
    errors: [
      ...notFound,
      ...owned,
      ErrorCode.DEVICE_NOT_FOUND,
      ErrorCode.INVALID_INPUT,
      ErrorCode.BULK_COUNT_CHANGED,
      ErrorCode.BULK_TOO_MANY,
    ],
    summary:
      'Runs a deployment again on all its devices, the ids given, or every device matching the devices list filter',
    tags,
  },
  addAssignment: {
    method: 'POST',
    path: '/deployments/:id/assignments',
    params: IdParams,
    body: ExtraAssignmentRequest,
    responses: { 200: Deployment },
    permission: 'deployments:write',
    errors: [...notFound, ErrorCode.SCHEDULE_IN_PAST],
    summary: 'Adds a one-off assignment time to a deployment',
    tags,
  },
  summary: {
    method: 'GET',
    path: '/deployments/:id/summary',
    params: IdParams,
    responses: { 200: DeploymentSummary },
    permission: 'read',
    errors: notFound,
    summary: 'How many devices of a deployment are in each state',
    tags,
  },
  devices: {
    method: 'GET',
    path: '/deployments/:id/devices',
    params: IdParams,
    query: ListDeploymentDevicesQuery,
    responses: {
      200: Type.Object({ items: Type.Array(DeploymentDeviceState), total: Type.Integer() }),
    },
    permission: 'read',
    errors: notFound,
    summary: 'The devices of a deployment with their state, filtered and paged',
    tags,
  },
  ofDevice: {
    method: 'GET',
    path: '/devices/:id/deployments',
    params: IdParams,
    responses: { 200: Type.Array(DeploymentDeviceState) },
    permission: 'read',
    errors: [ErrorCode.DEVICE_NOT_FOUND],
    summary: "Every deployment targeting a device, with the device's state in each",
    tags,
  },
});

const phasedTags = ['phased-deployments'];

/** Phased deployments: one program, collection after collection, gated on success. */
export const phasedDeploymentOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/phased-deployments',
    responses: { 200: Type.Array(PhasedDeployment) },
    permission: 'read',
    errors: [],
    summary: 'Every phased deployment',
    tags: phasedTags,
  },
  create: {
    method: 'POST',
    path: '/phased-deployments',
    body: CreatePhasedDeploymentRequest,
    responses: { 201: PhasedDeployment },
    permission: 'deployments:write',
    errors: [ErrorCode.PHASED_DEPLOYMENT_NAME_TAKEN, ErrorCode.INVALID_PHASES, ...settingsErrors],
    summary: 'Creates a phased deployment and starts its first phase',
    tags: phasedTags,
  },
  get: {
    method: 'GET',
    path: '/phased-deployments/:id',
    params: IdParams,
    responses: { 200: PhasedDeployment },
    permission: 'read',
    errors: [ErrorCode.PHASED_DEPLOYMENT_NOT_FOUND],
    summary: 'One phased deployment with its phases',
    tags: phasedTags,
  },
  halt: {
    method: 'POST',
    path: '/phased-deployments/:id/halt',
    params: IdParams,
    // The reason is optional, and so is the body (`curl -X POST .../halt` halts).
    body: HaltPhasedDeploymentRequest,
    bodyMayBeOmitted: true,
    responses: { 200: PhasedDeployment },
    permission: 'deployments:write',
    errors: [ErrorCode.PHASED_DEPLOYMENT_NOT_FOUND, ErrorCode.PHASED_DEPLOYMENT_NOT_RUNNING],
    summary: 'Halts a phased deployment: no further phase starts',
    tags: phasedTags,
  },
  resume: {
    method: 'POST',
    path: '/phased-deployments/:id/resume',
    params: IdParams,
    responses: { 200: PhasedDeployment },
    permission: 'deployments:write',
    errors: [ErrorCode.PHASED_DEPLOYMENT_NOT_FOUND, ErrorCode.PHASED_DEPLOYMENT_NOT_HALTED],
    summary: 'Resumes a halted phased deployment',
    tags: phasedTags,
  },
});
