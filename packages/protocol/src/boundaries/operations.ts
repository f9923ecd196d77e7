import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  Boundary,
  BoundaryGroup,
  ContentLocations,
  CreateBoundaryGroupRequest,
  CreateBoundaryRequest,
  ResolveLocationQuery,
  UpdateBoundaryGroupRequest,
  UpdateBoundaryRequest,
} from './schemas.js';

const tags = ['boundaries'];
const boundaryErrors = [
  ErrorCode.INVALID_BOUNDARY,
  ErrorCode.BOUNDARY_GROUP_NOT_FOUND,
  ErrorCode.BOUNDARY_NAME_TAKEN,
];
const groupErrors = [
  ErrorCode.DP_NOT_FOUND,
  ErrorCode.INVALID_NEIGHBOUR,
  ErrorCode.BOUNDARY_GROUP_NAME_TAKEN,
];

/** Boundaries: the IP subnets and ranges that place a client in boundary groups. */
export const boundaryOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/boundaries',
    responses: { 200: Type.Array(Boundary) },
    permission: 'read',
    errors: [],
    summary: 'Every boundary with its boundary groups',
    tags,
  },
  create: {
    method: 'POST',
    path: '/boundaries',
    body: CreateBoundaryRequest,
    responses: { 201: Boundary },
    permission: 'software:write',
    errors: boundaryErrors,
    summary: 'Creates a boundary (an IP subnet or range)',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/boundaries/:id',
    params: IdParams,
    body: UpdateBoundaryRequest,
    responses: { 200: Boundary },
    permission: 'software:write',
    errors: [ErrorCode.BOUNDARY_NOT_FOUND, ...boundaryErrors],
    summary: 'Changes the fields given of a boundary',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/boundaries/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.BOUNDARY_NOT_FOUND],
    summary: 'Deletes a boundary',
    tags,
  },
});

/** Boundary groups: which DPs clients in their boundaries use, and their fallback neighbours. */
export const boundaryGroupOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/boundary-groups',
    responses: { 200: Type.Array(BoundaryGroup) },
    permission: 'read',
    errors: [],
    summary: 'Every boundary group with its boundaries, DPs and neighbours',
    tags,
  },
  create: {
    method: 'POST',
    path: '/boundary-groups',
    body: CreateBoundaryGroupRequest,
    responses: { 201: BoundaryGroup },
    permission: 'software:write',
    // A neighbour that does not exist is BOUNDARY_GROUP_NOT_FOUND.
    errors: [ErrorCode.BOUNDARY_GROUP_NOT_FOUND, ...groupErrors],
    summary: 'Creates a boundary group',
    tags,
  },
  // A static path: Fastify prefers it to /:id, so no group id is ever taken for "resolve".
  resolve: {
    method: 'GET',
    path: '/boundary-groups/resolve',
    query: ResolveLocationQuery,
    responses: { 200: ContentLocations },
    permission: 'read',
    errors: [ErrorCode.INVALID_ADDRESS, ErrorCode.PACKAGE_NOT_FOUND],
    summary: 'Which boundary groups and DPs a client at an address would get (troubleshooting)',
    tags,
  },
  get: {
    method: 'GET',
    path: '/boundary-groups/:id',
    params: IdParams,
    responses: { 200: BoundaryGroup },
    permission: 'read',
    errors: [ErrorCode.BOUNDARY_GROUP_NOT_FOUND],
    summary: 'One boundary group, by id or name',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/boundary-groups/:id',
    params: IdParams,
    body: UpdateBoundaryGroupRequest,
    responses: { 200: BoundaryGroup },
    permission: 'software:write',
    errors: [ErrorCode.BOUNDARY_GROUP_NOT_FOUND, ...groupErrors],
    summary: 'Changes the fields given of a boundary group (lists given replace the lists)',
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/boundary-groups/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.BOUNDARY_GROUP_NOT_FOUND],
    summary: 'Deletes a boundary group',
    tags,
  },
});
