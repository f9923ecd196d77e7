import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { PrimaryUser, PrimaryUsersBody } from './primary-users.js';

const tags = ['devices'];

/** A device's primary users (user device affinity). */
export const primaryUserOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/devices/:id/primary-users',
    params: IdParams,
    responses: { 200: Type.Array(PrimaryUser) },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: "A device's primary users, from the administrator and from task sequences",
    tags,
  },
  set: {
    method: 'PUT',
    path: '/devices/:id/primary-users',
    params: IdParams,
    body: PrimaryUsersBody,
    responses: { 200: Type.Array(PrimaryUser) },
    permission: 'devices:write',
    errors: [ErrorCode.NOT_FOUND],
    summary: "Replaces the administrator's primary users of a device",
    tags,
  },
});
