import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { FileBytes } from '../content/schemas.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  ComputerAssociation,
  CreateComputerAssociationRequest,
  DpStateMigration,
  RecordIdParams,
  StoredUserState,
  UpdateDpStateMigrationRequest,
  USER_STATE_MAX_BYTES,
  UserStateCapturedRequest,
  UserStateListQuery,
  UserStateRecord,
  UserStateTransfer,
} from './schemas.js';

/** A DP's state migration point role (issue 11, ADR 0096). */
export const dpStateMigrationOperations = defineOperations({
  get: {
    method: 'GET',
    path: '/distribution-points/:id/state-migration',
    params: IdParams,
    responses: { 200: DpStateMigration },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary: "A distribution point's state migration point settings",
    tags: ['distribution points'],
  },
  update: {
    method: 'PATCH',
    path: '/distribution-points/:id/state-migration',
    params: IdParams,
    body: UpdateDpStateMigrationRequest,
    responses: { 200: DpStateMigration },
    permission: 'software:write',
    errors: [ErrorCode.DP_NOT_FOUND, ErrorCode.SMP_SITE_SERVER_DP],
    summary:
      "Changes the fields given of a DP's state migration point role; the DP applies them at its next poll",
    tags: ['distribution points'],
  },
});

const tags = ['user state'];

/** User-state records and computer associations (issue 11, ADR 0096). */
export const userStateOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/user-state',
    query: UserStateListQuery,
    responses: { 200: Type.Array(UserStateRecord) },
    permission: 'read',
    errors: [],
    summary: 'User-state records, newest first',
    tags,
  },
  get: {
    method: 'GET',
    path: '/user-state/:id',
    params: IdParams,
    responses: { 200: UserStateRecord },
    permission: 'read',
    errors: [ErrorCode.USER_STATE_NOT_FOUND],
    summary: 'One user-state record',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/user-state/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'devices:write',
    errors: [ErrorCode.USER_STATE_NOT_FOUND],
    summary:
      'Deletes a user-state record; its state migration point deletes the archive at its next poll',
    tags,
  },
  associations: {
    method: 'GET',
    path: '/computer-associations',
    responses: { 200: Type.Array(ComputerAssociation) },
    permission: 'read',
    errors: [],
    summary: 'Computer associations (source computer to destination computer), newest first',
    tags,
  },
  associate: {
    method: 'POST',
    path: '/computer-associations',
    body: CreateComputerAssociationRequest,
    responses: { 201: ComputerAssociation },
    permission: 'devices:write',
    errors: [
      ErrorCode.COMPUTER_NOT_FOUND,
      ErrorCode.COMPUTER_ASSOCIATION_INVALID,
      ErrorCode.COMPUTER_ASSOCIATION_EXISTS,
    ],
    summary:
      "Associates a source computer with a destination computer: the source's captured state is restored on the destination",
    tags,
  },
  dissociate: {
    method: 'DELETE',
    path: '/computer-associations/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'devices:write',
    errors: [ErrorCode.COMPUTER_ASSOCIATION_NOT_FOUND],
    summary: 'Deletes a computer association',
    tags,
  },
});

/** What a task-sequence run asks the site (its token's `user-state` grant). */
export const userStateRunOperations = defineOperations({
  capture: {
    method: 'POST',
    path: '/agent/v1/boot/user-state/captures',
    responses: { 200: UserStateTransfer },
    permission: 'content-token',
    errors: [ErrorCode.CONTENT_ACCESS_DENIED, ErrorCode.SMP_UNAVAILABLE],
    summary:
      'Creates the run computer’s user-state record on a state migration point with room: where to upload, and its key',
    tags: ['agent'],
  },
  captured: {
    method: 'POST',
    path: '/agent/v1/boot/user-state/captures/:id',
    params: RecordIdParams,
    body: UserStateCapturedRequest,
    responses: { 200: UserStateRecord },
    permission: 'content-token',
    errors: [ErrorCode.CONTENT_ACCESS_DENIED, ErrorCode.USER_STATE_NOT_FOUND],
    summary: 'Marks the run’s record captured once its archive is on the state migration point',
    tags: ['agent'],
  },
  restore: {
    method: 'POST',
    path: '/agent/v1/boot/user-state/restores',
    responses: { 200: UserStateTransfer },
    permission: 'content-token',
    errors: [ErrorCode.CONTENT_ACCESS_DENIED, ErrorCode.USER_STATE_NOT_CAPTURED],
    summary:
      'The newest captured record for the run computer (its own, or an associated source’s): where to download, and its key',
    tags: ['agent'],
  },
  restored: {
    method: 'POST',
    path: '/agent/v1/boot/user-state/restores/:id',
    params: RecordIdParams,
    responses: { 200: UserStateRecord },
    permission: 'content-token',
    errors: [ErrorCode.CONTENT_ACCESS_DENIED, ErrorCode.USER_STATE_NOT_FOUND],
    summary: 'Marks the record restored (its retention starts)',
    tags: ['agent'],
  },
});

/** What a run calls on the state migration point (the DP), with the record's token. */
export const stateMigrationPointOperations = defineOperations({
  put: {
    method: 'PUT',
    path: '/smp/v1/states/:id',
    params: RecordIdParams,
    rawBody: { mediaTypes: ['application/octet-stream'], maxBytes: USER_STATE_MAX_BYTES },
    responses: { 200: StoredUserState },
    permission: 'content-token',
    errors: [
      ErrorCode.CONTENT_ACCESS_DENIED,
      ErrorCode.SMP_UNAVAILABLE,
      ErrorCode.SMP_SITE_SERVER_DP,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ],
    summary: 'Stores a record’s encrypted archive (the point never sees the key)',
    tags: ['content'],
  },
  get: {
    method: 'GET',
    path: '/smp/v1/states/:id',
    params: RecordIdParams,
    binaryResponse: true,
    responses: { 200: FileBytes },
    permission: 'content-token',
    errors: [
      ErrorCode.CONTENT_ACCESS_DENIED,
      ErrorCode.USER_STATE_NOT_FOUND,
      ErrorCode.SMP_SITE_SERVER_DP,
    ],
    summary: 'A record’s encrypted archive',
    tags: ['content'],
  },
});
