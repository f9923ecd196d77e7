import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { AddDpGroupMembersRequest } from '../content/schemas.js';
import { IdParams, Key, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  CreateDistributionPointRequest,
  CreateDpGroupRequest,
  DistributeRequest,
  DistributionPoint,
  DistributionPointRegistration,
  DpContentStatus,
  DpGroup,
  PackageContentStatus,
  UpdateDistributionPointRequest,
  UpdateDpGroupRequest,
  ValidateContentRequest,
} from './schemas.js';

const tags = ['distribution points'];

/** `:id` of a DP group or package and `:dp`, a distribution point of it. */
const WithDpParams = Type.Object({ id: Key, dp: Key }, { additionalProperties: false });

/** Distribution points: the servers clients download content from. */
export const distributionPointOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/distribution-points',
    responses: { 200: Type.Array(DistributionPoint) },
    permission: 'read',
    errors: [],
    summary: 'Every distribution point, the site server first',
    tags,
  },
  create: {
    method: 'POST',
    path: '/distribution-points',
    body: CreateDistributionPointRequest,
    responses: { 201: DistributionPointRegistration },
    permission: 'software:write',
    errors: [ErrorCode.DP_NAME_TAKEN],
    summary: 'Creates a distribution point and its one-time registration token',
    tags,
  },
  get: {
    method: 'GET',
    path: '/distribution-points/:id',
    params: IdParams,
    responses: { 200: DistributionPoint },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary: 'One distribution point, by id or name',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/distribution-points/:id',
    params: IdParams,
    body: UpdateDistributionPointRequest,
    responses: { 200: DistributionPoint },
    permission: 'software:write',
    errors: [ErrorCode.DP_NOT_FOUND, ErrorCode.DP_NAME_TAKEN],
    summary: 'Changes the fields given of a distribution point',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/distribution-points/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.DP_NOT_FOUND, ErrorCode.DP_IS_SITE_SERVER],
    summary: "Deletes a distribution point (never the site server's own)",
    tags,
  },
  renewToken: {
    method: 'POST',
    path: '/distribution-points/:id/registration-token',
    params: IdParams,
    responses: { 200: DistributionPointRegistration },
    permission: 'software:write',
    errors: [ErrorCode.DP_NOT_FOUND, ErrorCode.DP_IS_SITE_SERVER],
    summary: 'A new one-time registration token (the old one stops working)',
    tags,
  },
  content: {
    method: 'GET',
    path: '/distribution-points/:id/content',
    params: IdParams,
    responses: { 200: Type.Array(DpContentStatus) },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary: 'The content status of every package a distribution point is to hold',
    tags,
  },
});

const groupErrors = [ErrorCode.DP_GROUP_NOT_FOUND];

/** DP groups: distribution points given packages together. */
export const dpGroupOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/dp-groups',
    responses: { 200: Type.Array(DpGroup) },
    permission: 'read',
    errors: [],
    summary: 'Every DP group with its members and packages',
    tags,
  },
  create: {
    method: 'POST',
    path: '/dp-groups',
    body: CreateDpGroupRequest,
    responses: { 201: DpGroup },
    permission: 'software:write',
    errors: [ErrorCode.DP_GROUP_NAME_TAKEN, ErrorCode.DP_NOT_FOUND],
    summary: 'Creates a DP group',
    tags,
  },
  get: {
    method: 'GET',
    path: '/dp-groups/:id',
    params: IdParams,
    responses: { 200: DpGroup },
    permission: 'read',
    errors: groupErrors,
    summary: 'One DP group, by id or name',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/dp-groups/:id',
    params: IdParams,
    body: UpdateDpGroupRequest,
    responses: { 200: DpGroup },
    permission: 'software:write',
    errors: [...groupErrors, ErrorCode.DP_GROUP_NAME_TAKEN, ErrorCode.DP_NOT_FOUND],
    summary: 'Changes the fields given of a DP group (members given replace the members)',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/dp-groups/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: groupErrors,
    summary: 'Deletes a DP group (its packages stay on the DPs that have them)',
    tags,
  },
  addMembers: {
    method: 'POST',
    path: '/dp-groups/:id/members',
    params: IdParams,
    body: AddDpGroupMembersRequest,
    responses: { 200: DpGroup },
    permission: 'software:write',
    errors: [...groupErrors, ErrorCode.DP_NOT_FOUND],
    summary: "Adds distribution points to a DP group (not sent the group's packages)",
    tags,
  },
  removeMember: {
    method: 'DELETE',
    path: '/dp-groups/:id/members/:dp',
    params: WithDpParams,
    responses: { 200: DpGroup },
    permission: 'software:write',
    errors: [...groupErrors, ErrorCode.DP_NOT_FOUND],
    summary: 'Takes a distribution point out of a DP group',
    tags,
  },
  distributeToNewMembers: {
    method: 'POST',
    path: '/dp-groups/:id/distribute-to-new-members',
    params: IdParams,
    responses: { 200: DpGroup },
    permission: 'software:write',
    errors: groupErrors,
    summary: "Sends the group's packages to the members that lack them",
    tags,
  },
});

const libraryTags = ['software library'];

/** A package's content on distribution points: distribute, remove, validate, status. */
export const packageDistributionOperations = defineOperations({
  distribute: {
    method: 'POST',
    path: '/packages/:id/distribute',
    params: IdParams,
    body: DistributeRequest,
    responses: { 200: PackageContentStatus },
    permission: 'software:write',
    errors: [
      ErrorCode.PACKAGE_NOT_FOUND,
      ErrorCode.PACKAGE_HAS_NO_CONTENT,
      ErrorCode.DP_NOT_FOUND,
      ErrorCode.DP_GROUP_NOT_FOUND,
    ],
    summary: "Distributes a package's current version to DPs and the members of DP groups",
    tags: libraryTags,
  },
  removeFromDp: {
    method: 'DELETE',
    path: '/packages/:id/distribution-points/:dp',
    params: WithDpParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.PACKAGE_NOT_FOUND, ErrorCode.DP_NOT_FOUND],
    summary: 'Stops distributing a package to a DP (the DP deletes its files)',
    tags: libraryTags,
  },
  contentStatus: {
    method: 'GET',
    path: '/packages/:id/content-status',
    params: IdParams,
    responses: { 200: PackageContentStatus },
    permission: 'read',
    errors: [ErrorCode.PACKAGE_NOT_FOUND],
    summary: "A package's content status on every DP it targets",
    tags: libraryTags,
  },
  validate: {
    method: 'POST',
    path: '/packages/:id/validate',
    params: IdParams,
    body: ValidateContentRequest,
    responses: { 200: PackageContentStatus },
    permission: 'software:write',
    errors: [ErrorCode.PACKAGE_NOT_FOUND, ErrorCode.DP_NOT_FOUND],
    summary: "Asks DPs (all, or those given) to re-hash a package's files",
    tags: libraryTags,
  },
});
