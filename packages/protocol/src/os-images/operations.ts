import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { DistributeRequest, PackageContentStatus } from '../distribution/schemas.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { BuildOsImageRequest, ImportOsImageRequest, OsImage, OsImageBuild } from './schemas.js';

const tags = ['os-deployment'];

/**
 * OS images as site content (issue 11, ADR 0085): each version is a content-library package
 * (`os-image-<name>-<version>`) holding its manifest and archives, distributed like boot images.
 */
export const osImageOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/os-images',
    responses: { 200: Type.Array(OsImage) },
    permission: 'read',
    errors: [],
    summary: 'OS images, every version, newest first per name',
    tags,
  },
  import: {
    method: 'POST',
    path: '/os-images',
    body: ImportOsImageRequest,
    responses: { 201: OsImage },
    permission: 'software:write',
    errors: [
      ErrorCode.CONTENT_MISSING,
      ErrorCode.CONTENT_SIZE_MISMATCH,
      ErrorCode.OS_IMAGE_INVALID,
    ],
    summary:
      'Records an OS image from its manifest; its archives must be in the content library (hash-first upload)',
    tags,
  },
  get: {
    method: 'GET',
    path: '/os-images/:id',
    params: IdParams,
    responses: { 200: OsImage },
    permission: 'read',
    errors: [ErrorCode.OS_IMAGE_NOT_FOUND],
    summary: 'One OS image version (by id, or by name for its newest version)',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/os-images/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.OS_IMAGE_NOT_FOUND],
    summary:
      'Deletes an OS image version and its content package (files go with the next clean-up)',
    tags,
  },
  distribute: {
    method: 'POST',
    path: '/os-images/:id/distribute',
    params: IdParams,
    body: DistributeRequest,
    responses: { 200: PackageContentStatus },
    permission: 'software:write',
    errors: [
      ErrorCode.OS_IMAGE_NOT_FOUND,
      ErrorCode.OS_IMAGE_NO_CONTENT,
      ErrorCode.DP_NOT_FOUND,
      ErrorCode.DP_GROUP_NOT_FOUND,
    ],
    summary: "Distributes an OS image's files to distribution points and DP groups",
    tags,
  },
  contentStatus: {
    method: 'GET',
    path: '/os-images/:id/content-status',
    params: IdParams,
    responses: { 200: PackageContentStatus },
    permission: 'read',
    errors: [ErrorCode.OS_IMAGE_NOT_FOUND, ErrorCode.OS_IMAGE_NO_CONTENT],
    summary: "Where an OS image's files are: its state on every targeted distribution point",
    tags,
  },
  build: {
    method: 'POST',
    path: '/os-image-builds',
    body: BuildOsImageRequest,
    responses: { 202: OsImageBuild },
    permission: 'software:write',
    errors: [ErrorCode.OS_IMAGE_NO_MIRROR, ErrorCode.OS_IMAGE_BUILD_RUNNING],
    summary:
      'Starts building a default OS image by debootstrap of a Debian release (progress on the build; the result is the next version of its name)',
    tags,
  },
  listBuilds: {
    method: 'GET',
    path: '/os-image-builds',
    responses: { 200: Type.Array(OsImageBuild) },
    permission: 'read',
    errors: [],
    summary: 'OS image builds, newest first',
    tags,
  },
  getBuild: {
    method: 'GET',
    path: '/os-image-builds/:id',
    params: IdParams,
    responses: { 200: OsImageBuild },
    permission: 'read',
    errors: [ErrorCode.OS_IMAGE_BUILD_NOT_FOUND],
    summary: 'One OS image build and its progress',
    tags,
  },
});
