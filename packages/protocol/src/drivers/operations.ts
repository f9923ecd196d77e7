import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  DeviceDrivers,
  Driver,
  DriverSummary,
  ImportDriverQuery,
  ListDriversQuery,
  UpdateDriverRequest,
} from './schemas.js';

const tags = ['drivers'];

/** A driver package upload: a Debian binary package (.deb). */
export const DRIVER_MEDIA_TYPES = [
  'application/vnd.debian.binary-package',
  'application/x-debian-package',
  'application/octet-stream',
] as const;
/** Driver packages are small (modules and firmware); 512 MiB bounds the largest firmware sets. */
export const DRIVER_UPLOAD_MAX_BYTES = 512 * 1024 * 1024;

/** The driver catalog (issue 11, ADR 0055). */
export const driverOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/drivers',
    query: ListDriversQuery,
    responses: { 200: Page(DriverSummary) },
    permission: 'read',
    errors: [],
    summary: 'The driver catalog, filtered by text, category and enabled state',
    tags,
  },
  import: {
    method: 'POST',
    path: '/drivers',
    query: ImportDriverQuery,
    rawBody: { mediaTypes: DRIVER_MEDIA_TYPES, maxBytes: DRIVER_UPLOAD_MAX_BYTES },
    responses: { 201: Driver },
    permission: 'software:write',
    errors: [
      ErrorCode.DRIVER_INVALID_PACKAGE,
      ErrorCode.DRIVER_EXISTS,
      ErrorCode.DRIVER_NO_CONTENT,
    ],
    summary:
      'Imports a driver package (.deb of kernel modules and/or firmware): reads each module’s aliases and firmware',
    tags,
  },
  get: {
    method: 'GET',
    path: '/drivers/:id',
    params: IdParams,
    responses: { 200: Driver },
    permission: 'read',
    errors: [ErrorCode.DRIVER_NOT_FOUND],
    summary: 'One driver (by id, or by package name when one version is imported)',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/drivers/:id',
    params: IdParams,
    body: UpdateDriverRequest,
    responses: { 200: Driver },
    permission: 'software:write',
    errors: [ErrorCode.DRIVER_NOT_FOUND],
    summary: 'Enables or disables a driver, or sets its categories',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/drivers/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.DRIVER_NOT_FOUND],
    summary: 'Removes a driver from the catalog (its package file goes with the next clean-up)',
    tags,
  },
  categories: {
    method: 'GET',
    path: '/driver-categories',
    responses: { 200: Type.Array(Type.Object({ name: Type.String(), drivers: Type.Integer() })) },
    permission: 'read',
    errors: [],
    summary: 'The categories in use, with how many drivers each holds',
    tags,
  },
  forDevice: {
    method: 'GET',
    path: '/devices/:id/drivers',
    params: IdParams,
    responses: { 200: DeviceDrivers },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary:
      "A device's PCI and USB hardware (from its inventory) and the enabled drivers whose aliases match each",
    tags,
  },
});
