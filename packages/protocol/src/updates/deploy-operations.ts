import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  ApprovedContent,
  UpdateGroup,
  UpdateGroupInput,
  UpdateGroupMemberParams,
  UpdateGroupMembersBody,
  UpdateGroupPatch,
} from './deploy-groups.js';

const tags = ['software-updates'];

/** Update groups: named sets of approved updates (issue 10). */
export const updateGroupOperations = defineOperations({
  listGroups: {
    method: 'GET',
    path: '/update-groups',
    responses: { 200: Page(UpdateGroup) },
    permission: 'read',
    errors: [],
    summary: 'Update groups with their updates',
    tags,
  },
  createGroup: {
    method: 'POST',
    path: '/update-groups',
    body: UpdateGroupInput,
    responses: { 201: UpdateGroup },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_GROUP_NAME_TAKEN, ErrorCode.UPDATE_GROUP_UPDATE_NOT_FOUND],
    summary: 'Creates an update group, optionally with its first updates',
    tags,
  },
  getGroup: {
    method: 'GET',
    path: '/update-groups/:id',
    params: IdParams,
    responses: { 200: UpdateGroup },
    permission: 'read',
    errors: [ErrorCode.UPDATE_GROUP_NOT_FOUND],
    summary: 'One update group (by id or name)',
    tags,
  },
  updateGroup: {
    method: 'PATCH',
    path: '/update-groups/:id',
    params: IdParams,
    body: UpdateGroupPatch,
    responses: { 200: UpdateGroup },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_GROUP_NOT_FOUND, ErrorCode.UPDATE_GROUP_NAME_TAKEN],
    summary: 'Renames an update group or changes its description',
    tags,
  },
  deleteGroup: {
    method: 'DELETE',
    path: '/update-groups/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_GROUP_NOT_FOUND],
    summary: 'Removes an update group (the updates stay in the catalog)',
    tags,
  },
  addUpdates: {
    method: 'POST',
    path: '/update-groups/:id/updates',
    params: IdParams,
    body: UpdateGroupMembersBody,
    responses: { 200: UpdateGroup },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_GROUP_NOT_FOUND, ErrorCode.UPDATE_GROUP_UPDATE_NOT_FOUND],
    summary: 'Adds updates to a group (ones already in it are kept once)',
    tags,
  },
  removeUpdate: {
    method: 'DELETE',
    path: '/update-groups/:id/updates/:updateId',
    params: UpdateGroupMemberParams,
    responses: { 200: UpdateGroup },
    permission: 'software:write',
    errors: [ErrorCode.UPDATE_GROUP_NOT_FOUND, ErrorCode.UPDATE_GROUP_MEMBER_NOT_FOUND],
    summary: 'Removes one update from a group; the others stay',
    tags,
  },
  publishContent: {
    method: 'POST',
    path: '/update-groups/:id/content',
    params: IdParams,
    responses: { 201: ApprovedContent },
    permission: 'software:write',
    errors: [
      ErrorCode.UPDATE_GROUP_NOT_FOUND,
      ErrorCode.UPDATE_GROUP_EMPTY,
      ErrorCode.UPDATE_DEPLOYMENT_CONTENT_MISSING,
      ErrorCode.UPDATE_DEPLOYMENT_SOURCE_FAILED,
    ],
    summary:
      "Builds the group's approved updates into a site-signed apt repository in the content library",
    tags,
  },
});
