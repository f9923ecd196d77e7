import { Type } from '@sinclair/typebox';
import { ClientSettings } from '../agent/protocol.js';
import { ErrorCode } from '../common/errors.js';
import { CreateEnrolmentTokenRequest, EnrolmentToken } from '../enrolment/schemas.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { CustomClassDefinition, InventoryClassInfo } from './schemas.js';

/** Enrolment tokens: how a machine becomes a device of the site. */
export const enrolmentOperations = defineOperations({
  listTokens: {
    method: 'GET',
    path: '/enrolment-tokens',
    responses: { 200: Type.Array(EnrolmentToken) },
    permission: 'read',
    errors: [],
    summary: 'Enrolment tokens, with their use counts and expiry',
    tags: ['enrolment'],
  },
  createToken: {
    method: 'POST',
    path: '/enrolment-tokens',
    body: Type.Optional(CreateEnrolmentTokenRequest),
    responses: { 201: EnrolmentToken },
    permission: 'enrolment:write',
    errors: [],
    summary: 'Creates an enrolment token (the string carries the site address and CA fingerprint)',
    tags: ['enrolment'],
  },
  revokeToken: {
    method: 'DELETE',
    path: '/enrolment-tokens/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'enrolment:write',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'Revokes an enrolment token: no machine can enrol with it any more',
    tags: ['enrolment'],
  },
});

/** `:name` of an inventory class (class names are short identifiers). */
const ClassParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
const tags = ['inventory'];

/** Inventory classes (built-in and custom) and the settings every client runs with. */
export const inventoryOperations = defineOperations({
  listClasses: {
    method: 'GET',
    path: '/inventory-classes',
    responses: { 200: Type.Array(InventoryClassInfo) },
    permission: 'read',
    errors: [],
    summary: 'Every inventory class, built-in and custom',
    tags,
  },
  getClass: {
    method: 'GET',
    path: '/inventory-classes/:name',
    params: ClassParams,
    responses: { 200: InventoryClassInfo },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'One inventory class with its properties',
    tags,
  },
  createClass: {
    method: 'POST',
    path: '/inventory-classes',
    body: CustomClassDefinition,
    responses: { 201: InventoryClassInfo },
    permission: 'inventory-classes:write',
    errors: [
      ErrorCode.INVENTORY_CLASS_NAME_TAKEN,
      ErrorCode.INVENTORY_CLASS_BUILTIN,
      ErrorCode.INVENTORY_CLASS_INVALID,
    ],
    summary: 'Defines a custom inventory class the agents collect',
    tags,
  },
  updateClass: {
    method: 'PUT',
    path: '/inventory-classes/:name',
    params: ClassParams,
    body: CustomClassDefinition,
    responses: { 200: InventoryClassInfo },
    permission: 'inventory-classes:write',
    errors: [
      ErrorCode.NOT_FOUND,
      ErrorCode.INVENTORY_CLASS_BUILTIN,
      ErrorCode.INVENTORY_CLASS_INVALID,
      ErrorCode.INVALID_INPUT,
    ],
    summary: 'Replaces the definition of a custom inventory class',
    tags,
  },
  removeClass: {
    method: 'DELETE',
    path: '/inventory-classes/:name',
    params: ClassParams,
    responses: { 204: NoContent },
    permission: 'inventory-classes:write',
    errors: [ErrorCode.NOT_FOUND, ErrorCode.INVENTORY_CLASS_BUILTIN],
    summary: 'Deletes a custom inventory class',
    tags,
  },
  getClientSettings: {
    method: 'GET',
    path: '/client-settings',
    responses: { 200: ClientSettings },
    permission: 'read',
    errors: [],
    summary: 'The settings every client runs with (policy and inventory intervals, ...)',
    tags: ['client-settings'],
  },
  updateClientSettings: {
    method: 'PUT',
    path: '/client-settings',
    body: Type.Partial(ClientSettings, { additionalProperties: false }),
    responses: { 200: ClientSettings },
    permission: 'devices:write',
    errors: [],
    summary: 'Changes the client settings given; clients pick them up at their next policy fetch',
    tags: ['client-settings'],
  },
});
