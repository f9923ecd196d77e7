import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, Key, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  ClientSettingsObject,
  CreateClientSettingsObjectRequest,
  ResultantClientSettings,
  UpdateClientSettingsObjectRequest,
} from './schemas.js';

const tags = ['client-settings'];
const AssignParams = Type.Object({ id: Key, collection: Key }, { additionalProperties: false });
const takenErrors = [
  ErrorCode.CLIENT_SETTINGS_NAME_TAKEN,
  ErrorCode.CLIENT_SETTINGS_PRIORITY_TAKEN,
  ErrorCode.INVALID_INPUT,
];

/**
 * Client settings objects (Configuration Manager's custom client settings): subsets of the
 * declared client settings, assigned to collections with a priority (ADR 0025).
 */
export const clientSettingsObjectOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/client-settings-objects',
    responses: { 200: Type.Array(ClientSettingsObject) },
    permission: 'read',
    errors: [],
    summary: 'Client settings objects, by priority (the lowest number wins)',
    tags,
  },
  create: {
    method: 'POST',
    path: '/client-settings-objects',
    body: CreateClientSettingsObjectRequest,
    responses: { 201: ClientSettingsObject },
    permission: 'devices:write',
    errors: takenErrors,
    summary: 'Creates a client settings object (assigned to no collection yet)',
    tags,
  },
  get: {
    method: 'GET',
    path: '/client-settings-objects/:id',
    params: IdParams,
    responses: { 200: ClientSettingsObject },
    permission: 'read',
    errors: [ErrorCode.CLIENT_SETTINGS_NOT_FOUND],
    summary: 'One client settings object, by id or name',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/client-settings-objects/:id',
    params: IdParams,
    body: UpdateClientSettingsObjectRequest,
    responses: { 200: ClientSettingsObject },
    permission: 'devices:write',
    errors: [ErrorCode.CLIENT_SETTINGS_NOT_FOUND, ...takenErrors],
    summary: 'Changes the fields given; `settings` replaces the whole subset',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/client-settings-objects/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'devices:write',
    errors: [ErrorCode.CLIENT_SETTINGS_NOT_FOUND],
    summary: 'Deletes a client settings object and its assignments',
    tags,
  },
  assign: {
    method: 'PUT',
    path: '/client-settings-objects/:id/collections/:collection',
    params: AssignParams,
    responses: { 200: ClientSettingsObject },
    permission: 'devices:write',
    errors: [ErrorCode.CLIENT_SETTINGS_NOT_FOUND, ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Assigns a client settings object to a collection (idempotent)',
    tags,
  },
  unassign: {
    method: 'DELETE',
    path: '/client-settings-objects/:id/collections/:collection',
    params: AssignParams,
    responses: { 200: ClientSettingsObject },
    permission: 'devices:write',
    errors: [ErrorCode.CLIENT_SETTINGS_NOT_FOUND, ErrorCode.COLLECTION_NOT_FOUND],
    summary: 'Removes a client settings object from a collection (idempotent)',
    tags,
  },
  resultant: {
    method: 'GET',
    path: '/devices/:id/client-settings',
    params: IdParams,
    responses: { 200: ResultantClientSettings },
    permission: 'read',
    errors: [ErrorCode.DEVICE_NOT_FOUND],
    summary: "A device's resultant client settings and where each value came from",
    tags,
  },
});
