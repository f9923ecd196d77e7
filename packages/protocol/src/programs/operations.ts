import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, Key, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  MaintenanceWindow,
  MaintenanceWindowBody,
  UpdateMaintenanceWindowRequest,
} from '../schedule/schemas.js';
import { Program, ProgramBody, UpdateProgramRequest } from './schemas.js';

const tags = ['programs'];
const programErrors = [
  ErrorCode.PACKAGE_NOT_FOUND,
  ErrorCode.PROGRAM_NOT_FOUND,
  ErrorCode.PROGRAM_NAME_TAKEN,
  ErrorCode.PROGRAM_DEPENDENCY_CYCLE,
  ErrorCode.INVALID_WORKING_DIRECTORY,
];

/** Programs: how a package's content is run on a device. */
export const programOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/programs',
    query: Type.Object({ package: Type.Optional(Key) }, { additionalProperties: false }),
    responses: { 200: Type.Array(Program) },
    permission: 'read',
    errors: [],
    summary: 'Programs, optionally of one package',
    tags,
  },
  create: {
    method: 'POST',
    path: '/packages/:id/programs',
    params: IdParams,
    body: ProgramBody,
    responses: { 201: Program },
    permission: 'software:write',
    errors: programErrors,
    summary: 'Adds a program to a package',
    tags,
  },
  get: {
    method: 'GET',
    path: '/programs/:id',
    params: IdParams,
    responses: { 200: Program },
    permission: 'read',
    errors: [ErrorCode.PROGRAM_NOT_FOUND],
    summary: 'One program',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/programs/:id',
    params: IdParams,
    body: UpdateProgramRequest,
    responses: { 200: Program },
    permission: 'software:write',
    errors: programErrors,
    summary: 'Changes the fields given of a program',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/programs/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.PROGRAM_NOT_FOUND, ErrorCode.PROGRAM_IN_USE],
    summary: 'Deletes a program no deployment uses',
    tags,
  },
  disable: {
    method: 'POST',
    path: '/programs/:id/disable',
    params: IdParams,
    responses: { 200: Program },
    permission: 'software:write',
    errors: [ErrorCode.PROGRAM_NOT_FOUND],
    summary: 'Stops a program everywhere at once, mandatory runs included',
    tags,
  },
  enable: {
    method: 'POST',
    path: '/programs/:id/enable',
    params: IdParams,
    responses: { 200: Program },
    permission: 'software:write',
    errors: [ErrorCode.PROGRAM_NOT_FOUND],
    summary: 'Lets a disabled program run again',
    tags,
  },
});

const windowTags = ['maintenance-windows'];

/** Maintenance windows: when a collection's devices may run deployments. */
export const maintenanceWindowOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/maintenance-windows',
    query: Type.Object({ collection: Type.Optional(Key) }, { additionalProperties: false }),
    responses: { 200: Type.Array(MaintenanceWindow) },
    permission: 'read',
    errors: [ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Maintenance windows, optionally of one collection',
    tags: windowTags,
  },
  create: {
    method: 'POST',
    path: '/collections/:id/maintenance-windows',
    params: IdParams,
    body: MaintenanceWindowBody,
    responses: { 201: MaintenanceWindow },
    permission: 'deployments:write',
    errors: [ErrorCode.COLLECTION_NOT_FOUND, ErrorCode.INVALID_SCHEDULE],
    summary: 'Adds a maintenance window to a collection',
    tags: windowTags,
  },
  get: {
    method: 'GET',
    path: '/maintenance-windows/:id',
    params: IdParams,
    responses: { 200: MaintenanceWindow },
    permission: 'read',
    errors: [ErrorCode.MAINTENANCE_WINDOW_NOT_FOUND],
    summary: 'One maintenance window',
    tags: windowTags,
  },
  update: {
    method: 'PATCH',
    path: '/maintenance-windows/:id',
    params: IdParams,
    body: UpdateMaintenanceWindowRequest,
    responses: { 200: MaintenanceWindow },
    permission: 'deployments:write',
    errors: [ErrorCode.MAINTENANCE_WINDOW_NOT_FOUND, ErrorCode.INVALID_SCHEDULE],
    summary: 'Changes the fields given of a maintenance window',
    tags: windowTags,
  },
  remove: {
    method: 'DELETE',
    path: '/maintenance-windows/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'deployments:write',
    errors: [ErrorCode.MAINTENANCE_WINDOW_NOT_FOUND],
    summary: 'Deletes a maintenance window',
    tags: windowTags,
  },
});
