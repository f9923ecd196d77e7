import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { FileBytes } from '../content/schemas.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { CreateMediaRequest, Media } from './schemas.js';

const tags = ['os-deployment'];

/** Task-sequence media (issue 11, ADR 0089). */
export const mediaOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/media',
    responses: { 200: Type.Array(Media) },
    permission: 'read',
    errors: [],
    summary: 'Task-sequence media, newest first',
    tags,
  },
  create: {
    method: 'POST',
    path: '/media',
    body: CreateMediaRequest,
    responses: { 202: Media },
    permission: 'software:write',
    errors: [
      ErrorCode.MEDIA_NAME_TAKEN,
      ErrorCode.BOOT_IMAGE_NOT_FOUND,
      ErrorCode.BOOT_IMAGE_NOT_READY,
      ErrorCode.MEDIA_SETTINGS_INVALID,
      ErrorCode.TASK_SEQUENCE_NOT_FOUND,
      ErrorCode.OS_IMAGE_NOT_FOUND,
      ErrorCode.MEDIA_CONTENT_MISSING,
    ],
    summary:
      'Starts building task-sequence media (bootable, standalone, prestaged or capture; progress on the media)',
    tags,
  },
  get: {
    method: 'GET',
    path: '/media/:id',
    params: IdParams,
    responses: { 200: Media },
    permission: 'read',
    errors: [ErrorCode.MEDIA_NOT_FOUND],
    summary: 'One task-sequence media (by id or name)',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/media/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.MEDIA_NOT_FOUND, ErrorCode.MEDIA_BUILDING],
    summary: 'Deletes task-sequence media (its ISO goes with the next content clean-up)',
    tags,
  },
  file: {
    method: 'GET',
    path: '/media/:id/file',
    params: IdParams,
    binaryResponse: true,
    responses: { 200: FileBytes },
    permission: 'read',
    errors: [
      ErrorCode.MEDIA_NOT_FOUND,
      ErrorCode.MEDIA_NOT_READY,
      ErrorCode.CONTENT_RANGE_NOT_SATISFIABLE,
    ],
    summary:
      "The media's image file: an ISO, or a raw disk image for prestaged media (application/octet-stream, with HTTP Range)",
    tags,
  },
});
