import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  CreateUserRequest,
  LoginRequest,
  LoginResponse,
  UpdateUserRequest,
  User,
} from './schemas.js';

/** Signing in and out. */
export const authOperations = defineOperations({
  login: {
    method: 'POST',
    path: '/auth/login',
    body: LoginRequest,
    responses: { 200: LoginResponse },
    permission: 'public',
    errors: [ErrorCode.INVALID_CREDENTIALS, ErrorCode.LOGIN_RATE_LIMITED],
    summary:
      'Signs in: a bearer token, or (session: "cookie", the console) an HttpOnly cookie and a CSRF token',
    tags: ['auth'],
  },
  logout: {
    method: 'POST',
    path: '/auth/logout',
    responses: { 204: NoContent },
    permission: 'signed-in',
    errors: [],
    summary: 'Ends the session that sent the request',
    tags: ['auth'],
  },
  me: {
    method: 'GET',
    path: '/auth/me',
    responses: { 200: User },
    permission: 'signed-in',
    errors: [ErrorCode.UNAUTHENTICATED],
    summary: 'The signed-in administrator',
    tags: ['auth'],
  },
});

const tags = ['users'];

/** Administrator accounts and their roles. */
export const userOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/users',
    responses: { 200: Type.Array(User) },
    permission: 'users:write',
    errors: [],
    summary: 'Every administrator account',
    tags,
  },
  create: {
    method: 'POST',
    path: '/users',
    body: CreateUserRequest,
    responses: { 201: User },
    permission: 'users:write',
    errors: [ErrorCode.USER_NAME_TAKEN],
    summary: 'Creates an administrator account',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/users/:id',
    params: IdParams,
    body: UpdateUserRequest,
    responses: { 200: User },
    permission: 'users:write',
    errors: [ErrorCode.NOT_FOUND, ErrorCode.LAST_ADMIN],
    summary: "Changes an account's role, password or name",
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/users/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'users:write',
    errors: [ErrorCode.NOT_FOUND, ErrorCode.LAST_ADMIN],
    summary: 'Deletes an administrator account',
    tags,
  },
});
