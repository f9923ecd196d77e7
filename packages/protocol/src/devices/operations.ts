import { Type } from '@sinclair/typebox';
import { CollectionActionResult } from '../collections/schemas.js';
import { ErrorCode } from '../common/errors.js';
import { IdParams } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Offset, Page, RowCursor } from '../http/paging.js';
import { DevicePackage, InventoryChange } from '../inventory/schemas.js';
import {
  DeviceAction,
  DeviceActionRequest,
  DeviceDetail,
  DeviceSummary,
  ListDevicesQuery,
} from './schemas.js';
import { BulkActionResult, BulkDeviceActionRequest } from './bulk.js';

const tags = ['devices'];

/** Managed devices: their inventory, history, actions and revocation. */
export const deviceOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/devices',
    query: ListDevicesQuery,
    responses: { 200: Page(DeviceSummary) },
    permission: 'read',
    errors: [],
    summary: 'Devices, filtered and paged',
    tags,
  },
  get: {
    method: 'GET',
    path: '/devices/:id',
    params: IdParams,
    responses: { 200: DeviceDetail },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'One device (by id or name) with its inventory',
    tags,
  },
  packages: {
    method: 'GET',
    path: '/devices/:id/packages',
    params: IdParams,
    query: Type.Object(
      {
        search: Type.Optional(Type.String({ maxLength: 200 })),
        offset: Type.Optional(Offset),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
      },
      { additionalProperties: false },
    ),
    responses: { 200: Page(DevicePackage) },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'The installed packages of a device',
    tags,
  },
  history: {
    method: 'GET',
    path: '/devices/:id/inventory-history',
    params: IdParams,
    query: Type.Object(
      {
        className: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        before: Type.Optional(RowCursor),
      },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(InventoryChange) },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: "Changes in a device's inventory, newest first",
    tags,
  },
  actions: {
    method: 'GET',
    path: '/devices/:id/actions',
    params: IdParams,
    responses: { 200: Type.Array(DeviceAction) },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'Actions requested on a device and what became of them',
    tags,
  },
  requestAction: {
    method: 'POST',
    path: '/devices/:id/actions',
    params: IdParams,
    body: DeviceActionRequest,
    responses: { 202: DeviceAction },
    permission: 'devices:act',
    errors: [ErrorCode.NOT_FOUND, ErrorCode.DEVICE_REVOKED],
    summary: 'Asks a device to fetch policy or collect inventory now',
    tags,
  },
  revoke: {
    method: 'POST',
    path: '/devices/:id/revoke',
    params: IdParams,
    responses: { 200: DeviceSummary },
    permission: 'devices:write',
    errors: [ErrorCode.NOT_FOUND],
    summary: "Revokes a device's key: it can no longer talk to the site",
    tags,
  },
  notifyCollection: {
    method: 'POST',
    path: '/collections/:id/actions',
    params: IdParams,
    body: DeviceActionRequest,
    responses: { 202: CollectionActionResult },
    permission: 'devices:act',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'Sends an action to every member of a collection',
    tags: ['collections'],
  },
  bulkAction: {
    method: 'POST',
    path: '/devices/bulk-actions',
    body: BulkDeviceActionRequest,
    responses: { 200: BulkActionResult },
    // Each action checks the permission of its single-device counterpart (bulkActionPermission).
    permission: 'read',
    errors: [
      ErrorCode.NOT_FOUND,
      ErrorCode.FORBIDDEN,
      ErrorCode.COLLECTION_BUILTIN,
      ErrorCode.BULK_COUNT_CHANGED,
      ErrorCode.BULK_TOO_MANY,
      ErrorCode.BULK_COLLECTION_REQUIRED,
    ],
    summary: 'Acts on many devices at once: explicit ids or every device matching a filter',
    tags,
  },
});
