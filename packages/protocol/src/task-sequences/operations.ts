import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  ListTaskSequencesQuery,
  TargetVariables,
  TaskSequence,
  TaskSequenceBody,
  TaskSequenceSummary,
  TaskSequenceVersionSummary,
  VersionParams,
} from './schemas.js';
import { Type } from '@sinclair/typebox';

const tags = ['task-sequences'];
const invalid = [
  ErrorCode.TASK_SEQUENCE_INVALID,
  ErrorCode.TASK_SEQUENCE_REFERENCE_NOT_FOUND,
  ErrorCode.TASK_SEQUENCE_NAME_TAKEN,
];

/** Task sequences (issue 11, ADR 0069): the model, its versions and the variables of targets. */
export const taskSequenceOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/task-sequences',
    query: ListTaskSequencesQuery,
    responses: { 200: Page(TaskSequenceSummary) },
    permission: 'read',
    errors: [],
    summary: 'Task sequences, filtered by name and kind',
    tags,
  },
  create: {
    method: 'POST',
    path: '/task-sequences',
    body: TaskSequenceBody,
    responses: { 201: TaskSequence },
    permission: 'software:write',
    errors: invalid,
    summary: 'Creates a task sequence (version 1); referenced programs and images must exist',
    tags,
  },
  get: {
    method: 'GET',
    path: '/task-sequences/:id',
    params: IdParams,
    responses: { 200: TaskSequence },
    permission: 'read',
    errors: [ErrorCode.TASK_SEQUENCE_NOT_FOUND],
    summary: 'One task sequence (by id or name), its newest version',
    tags,
  },
  update: {
    method: 'PUT',
    path: '/task-sequences/:id',
    params: IdParams,
    body: TaskSequenceBody,
    responses: { 200: TaskSequence },
    permission: 'software:write',
    errors: [ErrorCode.TASK_SEQUENCE_NOT_FOUND, ...invalid],
    summary:
      'Saves a new version of a task sequence (deployments keep the version they were made with)',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/task-sequences/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.TASK_SEQUENCE_NOT_FOUND, ErrorCode.TASK_SEQUENCE_DEPLOYED],
    summary: 'Deletes a task sequence and its versions (refused while it is deployed)',
    tags,
  },
  versions: {
    method: 'GET',
    path: '/task-sequences/:id/versions',
    params: IdParams,
    responses: { 200: Type.Array(TaskSequenceVersionSummary) },
    permission: 'read',
    errors: [ErrorCode.TASK_SEQUENCE_NOT_FOUND],
    summary: 'The saved versions of a task sequence, newest first',
    tags,
  },
  version: {
    method: 'GET',
    path: '/task-sequences/:id/versions/:version',
    params: VersionParams,
    responses: { 200: TaskSequence },
    permission: 'read',
    errors: [ErrorCode.TASK_SEQUENCE_NOT_FOUND],
    summary: 'One saved version of a task sequence',
    tags,
  },
  collectionVariables: {
    method: 'GET',
    path: '/collections/:id/task-sequence-variables',
    params: IdParams,
    responses: { 200: TargetVariables },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: "A collection's task-sequence variables (they override a sequence's defaults)",
    tags,
  },
  setCollectionVariables: {
    method: 'PUT',
    path: '/collections/:id/task-sequence-variables',
    params: IdParams,
    body: TargetVariables,
    responses: { 200: TargetVariables },
    permission: 'collections:write',
    errors: [ErrorCode.NOT_FOUND, ErrorCode.TASK_SEQUENCE_INVALID],
    summary: "Replaces a collection's task-sequence variables",
    tags,
  },
  deviceVariables: {
    method: 'GET',
    path: '/devices/:id/task-sequence-variables',
    params: IdParams,
    responses: { 200: TargetVariables },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: "A device's task-sequence variables (they override its collections' and the defaults)",
    tags,
  },
  setDeviceVariables: {
    method: 'PUT',
    path: '/devices/:id/task-sequence-variables',
    params: IdParams,
    body: TargetVariables,
    responses: { 200: TargetVariables },
    permission: 'devices:write',
    errors: [ErrorCode.NOT_FOUND, ErrorCode.TASK_SEQUENCE_INVALID],
    summary: "Replaces a device's task-sequence variables",
    tags,
  },
});
