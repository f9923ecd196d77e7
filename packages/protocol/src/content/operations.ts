import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { Sha256 } from '../common/schemas.js';
import { IdParams, Key, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { MAX_INT32 } from '../http/paging.js';
import {
  ContentLibraryStats,
  CreatePackageRequest,
  CreateVersionFromFilesRequest,
  CreateVersionFromFolderRequest,
  ManifestEntry,
  MissingContentRequest,
  MissingContentResponse,
  Package,
  PackageVersion,
  PruneVersionsRequest,
  StoredContentFile,
  UpdatePackageRequest,
} from './schemas.js';

const tags = ['software library'];

/**
 * The largest file or archive one upload may carry. The site streams uploads to disk (never
 * buffered), so this is a sanity cap, not a memory bound.
 */
export const CONTENT_UPLOAD_MAX_BYTES = 64 * 1024 ** 3;

/** The media types an archive upload may be sent as; the gzip ones are decompressed first. */
export const ARCHIVE_MEDIA_TYPES = [
  'application/x-tar',
  'application/gzip',
  'application/x-gzip',
  'application/tar',
] as const;
/** Of `ARCHIVE_MEDIA_TYPES`, those of a gzip-compressed tar. */
export const GZIP_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/gzip',
  'application/x-gzip',
]);

const newVersionErrors = [
  ErrorCode.PACKAGE_NOT_FOUND,
  ErrorCode.CONTENT_MISSING,
  ErrorCode.CONTENT_SIZE_MISMATCH,
  ErrorCode.DUPLICATE_PATH,
];

/** Packages and their numbered content versions. */
export const packageOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/packages',
    query: Type.Object(
      { search: Type.Optional(Type.String({ maxLength: 200 })) },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(Package) },
    permission: 'read',
    errors: [],
    summary: 'Packages, optionally those whose name or publisher contains a text',
    tags,
  },
  create: {
    method: 'POST',
    path: '/packages',
    body: CreatePackageRequest,
    responses: { 201: Package },
    permission: 'software:write',
    errors: [ErrorCode.PACKAGE_NAME_TAKEN],
    summary: 'Creates a package (without content yet)',
    tags,
  },
  get: {
    method: 'GET',
    path: '/packages/:id',
    params: IdParams,
    responses: { 200: Package },
    permission: 'read',
    errors: [ErrorCode.PACKAGE_NOT_FOUND],
    summary: 'One package, by id or name',
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/packages/:id',
    params: IdParams,
    body: UpdatePackageRequest,
    responses: { 200: Package },
    permission: 'software:write',
    errors: [ErrorCode.PACKAGE_NOT_FOUND, ErrorCode.PACKAGE_NAME_TAKEN],
    summary: "Changes the fields given of a package's properties",
    tags,
  },
  remove: {
    method: 'DELETE',
    path: '/packages/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.PACKAGE_NOT_FOUND, ErrorCode.PACKAGE_IN_USE],
    summary: 'Deletes a package no deployment or other program uses',
    tags,
  },
  versions: {
    method: 'GET',
    path: '/packages/:id/versions',
    params: IdParams,
    responses: { 200: Type.Array(PackageVersion) },
    permission: 'read',
    errors: [ErrorCode.PACKAGE_NOT_FOUND],
    summary: "A package's content versions, newest first",
    tags,
  },
  versionFiles: {
    method: 'GET',
    path: '/packages/:id/versions/:number/files',
    params: Type.Object(
      // The column is a 32-bit integer: PostgreSQL fails on a larger parameter.
      { id: Key, number: Type.Integer({ minimum: 1, maximum: MAX_INT32 }) },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(ManifestEntry) },
    permission: 'read',
    errors: [ErrorCode.PACKAGE_NOT_FOUND, ErrorCode.PACKAGE_VERSION_NOT_FOUND],
    summary: 'The manifest of one content version: path, hash, size and mode of each file',
    tags,
  },
  createVersion: {
    method: 'POST',
    path: '/packages/:id/versions',
    params: IdParams,
    body: CreateVersionFromFilesRequest,
    responses: { 201: PackageVersion },
    permission: 'software:write',
    errors: newVersionErrors,
    summary: 'A new current version from files already in the library (hash-first upload)',
    tags,
  },
  createVersionFromArchive: {
    method: 'POST',
    path: '/packages/:id/versions/archive',
    params: IdParams,
    rawBody: { mediaTypes: ARCHIVE_MEDIA_TYPES, maxBytes: CONTENT_UPLOAD_MAX_BYTES },
    responses: { 201: PackageVersion },
    permission: 'software:write',
    errors: [...newVersionErrors, ErrorCode.INVALID_ARCHIVE, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    summary: 'A new current version from a tar or tar.gz archive sent as the body',
    tags,
  },
  createVersionFromFolder: {
    method: 'POST',
    path: '/packages/:id/versions/folder',
    params: IdParams,
    body: CreateVersionFromFolderRequest,
    responses: { 201: PackageVersion },
    permission: 'software:write',
    errors: [...newVersionErrors, ErrorCode.INVALID_FOLDER, ErrorCode.CONTENT_IMPORT_NOT_ALLOWED],
    summary: 'A new current version from a folder on the site server (inside its import roots)',
    tags,
  },
  pruneVersions: {
    method: 'POST',
    path: '/packages/:id/versions/prune',
    params: IdParams,
    body: PruneVersionsRequest,
    bodyMayBeOmitted: true,
    responses: { 200: Type.Array(PackageVersion) },
    permission: 'software:write',
    errors: [ErrorCode.PACKAGE_NOT_FOUND],
    summary:
      'Deletes old versions, keeping the newest ones (the current one always); answers those kept',
    tags,
  },
});

/** The content library's files: hash-first upload and what the library holds. */
export const contentOperations = defineOperations({
  missing: {
    method: 'POST',
    path: '/content/missing',
    body: MissingContentRequest,
    responses: { 200: MissingContentResponse },
    permission: 'software:write',
    errors: [],
    summary: 'Which of the given hashes the library lacks (hash-first upload, step 1)',
    tags,
  },
  uploadFile: {
    method: 'PUT',
    path: '/content/files/:sha256',
    params: Type.Object({ sha256: Sha256 }, { additionalProperties: false }),
    rawBody: { mediaTypes: ['application/octet-stream'], maxBytes: CONTENT_UPLOAD_MAX_BYTES },
    responses: { 200: StoredContentFile },
    permission: 'software:write',
    errors: [ErrorCode.CONTENT_HASH_MISMATCH, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    summary: 'Stores one file, verified against its SHA-256 as it streams (step 2)',
    tags,
  },
  library: {
    method: 'GET',
    path: '/content/library',
    responses: { 200: ContentLibraryStats },
    permission: 'read',
    errors: [],
    summary: 'How many files and bytes the library holds, and what single-instance storage saves',
    tags,
  },
});
