import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  ListUpdatesQuery,
  ListUpdateSyncsQuery,
  SoftwareUpdate,
  UpdateSource,
  UpdateSourceInput,
  UpdateSourcePatch,
  UpdateSync,
} from './schemas.js';

const tags = ['software-updates'];

/** Update sources (apt repositories), their syncs, and the update catalog (issue 10, ADR 0039). */
export const updateCatalogOperations = defineOperations({
  listSources: {
    method: 'GET',
    path: '/update-sources',
    responses: { 200: Page(UpdateSource) },
    permission: 'read',
    errors: [],
    summary: 'Update sources with their last sync',
    tags,
  },
  createSource: {
    method: 'POST',
    path: '/update-sources',
    body: UpdateSourceInput,
    responses: { 201: UpdateSource },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_SOURCE_NAME_TAKEN, ErrorCode.UPDATE_SOURCE_INVALID_KEYRING],
    summary: 'Adds an apt repository suite as an update source (its keyring checks every sync)',
    tags,
  },
  getSource: {
    method: 'GET',
    path: '/update-sources/:id',
    params: IdParams,
    responses: { 200: UpdateSource },
    permission: 'read',
    errors: [ErrorCode.UPDATE_SOURCE_NOT_FOUND],
    summary: 'One update source (by id or name)',
    tags,
  },
  updateSource: {
    method: 'PATCH',
    path: '/update-sources/:id',
    params: IdParams,
    body: UpdateSourcePatch,
    responses: { 200: UpdateSource },
    permission: 'software:write',
    errors: [
      ErrorCode.UPDATE_SOURCE_NOT_FOUND,
      ErrorCode.UPDATE_SOURCE_NAME_TAKEN,
      ErrorCode.UPDATE_SOURCE_INVALID_KEYRING,
    ],
    summary:
      'Changes an update source (a new URL, suite or keyring makes the next sync a full read)',
    tags,
  },
  deleteSource: {
    method: 'DELETE',
    path: '/update-sources/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_SOURCE_NOT_FOUND],
    summary: 'Removes an update source and the updates only it published',
    tags,
  },
  syncSource: {
    method: 'POST',
    path: '/update-sources/:id/sync',
    params: IdParams,
    responses: { 202: UpdateSync },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_SOURCE_NOT_FOUND, ErrorCode.UPDATE_SYNC_RUNNING],
    summary: 'Starts a sync of the source now; follow it with listSyncs',
    tags,
  },
  listSyncs: {
    method: 'GET',
    path: '/update-sources/:id/syncs',
    params: IdParams,
    query: ListUpdateSyncsQuery,
    responses: { 200: Page(UpdateSync) },
    permission: 'read',
    errors: [ErrorCode.UPDATE_SOURCE_NOT_FOUND],
    summary: "A source's syncs, newest first, with progress",
    tags,
  },
  listUpdates: {
    method: 'GET',
    path: '/updates',
    query: ListUpdatesQuery,
    responses: { 200: Page(SoftwareUpdate) },
    permission: 'read',
    errors: [],
    summary: 'The update catalog, filtered and paged',
    tags,
  },
  getUpdate: {
    method: 'GET',
    path: '/updates/:id',
    params: IdParams,
    responses: { 200: SoftwareUpdate },
    permission: 'read',
    errors: [ErrorCode.UPDATE_NOT_FOUND],
    summary: 'One update of the catalog (current, superseded or expired) with its references',
    tags,
  },
});
