import { ErrorCode } from '../common/errors.js';
import { Type } from '@sinclair/typebox';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { CreateViewRequest, ListViewsQuery, SavedView, UpdateViewRequest } from './schemas.js';

const tags = ['views'];

/**
 * Saved views of the device list (ADR 0034): each user's own, plus those shared with everyone.
 * Only the owner changes or deletes a view; a private view of another user does not exist for
 * the caller (VIEW_NOT_FOUND, never a hint that it is there).
 */
export const viewOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/views',
    query: ListViewsQuery,
    responses: { 200: Type.Array(SavedView) },
    permission: 'read',
    errors: [],
    summary: "The caller's views and the shared ones, by name",
    tags,
  },
  get: {
    method: 'GET',
    path: '/views/:id',
    params: IdParams,
    responses: { 200: SavedView },
    permission: 'read',
    errors: [ErrorCode.VIEW_NOT_FOUND],
    summary: "One view, by id or name (the caller's own first, then a shared one)",
    tags,
  },
  create: {
    method: 'POST',
    path: '/views',
    body: CreateViewRequest,
    responses: { 201: SavedView },
    permission: 'read',
    errors: [ErrorCode.VIEW_NAME_TAKEN, ErrorCode.DEVICE_COLUMN_UNKNOWN],
    summary: 'Saves a view (filter, columns, sort, density) under a name',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/views/:id',
    params: IdParams,
    body: UpdateViewRequest,
    responses: { 200: SavedView },
    permission: 'read',
    errors: [
      ErrorCode.VIEW_NOT_FOUND,
      ErrorCode.VIEW_NOT_OWNER,
      ErrorCode.VIEW_NAME_TAKEN,
      ErrorCode.DEVICE_COLUMN_UNKNOWN,
    ],
    summary: 'Renames a view, shares or unshares it, or replaces its state',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/views/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'read',
    errors: [ErrorCode.VIEW_NOT_FOUND, ErrorCode.VIEW_NOT_OWNER],
    summary: 'Deletes a view',
    tags,
  },
  setDefault: {
    method: 'PUT',
    path: '/views/:id/default',
    params: IdParams,
    responses: { 200: SavedView },
    permission: 'read',
    errors: [ErrorCode.VIEW_NOT_FOUND],
    summary: "Makes a view (own or shared) the caller's default of its list",
    tags,
  },
  clearDefault: {
    method: 'DELETE',
    path: '/views/:id/default',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'read',
    errors: [ErrorCode.VIEW_NOT_FOUND],
    summary: "Stops a view being the caller's default",
    tags,
  },
});
