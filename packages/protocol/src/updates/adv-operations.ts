import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  Advisory,
  AdvisoryFeed,
  AdvisoryFeedInput,
  AdvisoryImport,
  CveView,
  CveViewQuery,
  ADVISORY_FEED_MAX_BYTES,
  ADVISORY_MEDIA_TYPES,
  ImportAdvisoriesQuery,
  ListAdvisoriesQuery,
  ListAdvisoryImportsQuery,
} from './adv-schemas.js';

const tags = ['software-updates'];

/** Advisory feeds, their imports, advisories and the CVE view (issue 10, ADR 0048). */
export const advisoryOperations = defineOperations({
  importAdvisories: {
    method: 'POST',
    path: '/advisories/import',
    query: ImportAdvisoriesQuery,
    rawBody: { mediaTypes: ADVISORY_MEDIA_TYPES, maxBytes: ADVISORY_FEED_MAX_BYTES },
    responses: { 200: AdvisoryImport },
    permission: 'software:write',
    errors: [ErrorCode.ADVISORY_FORMAT_INVALID, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    summary:
      'Imports an uploaded advisory feed (tracker JSON, DSA/DLA list, USN database, OSV) and enriches the updates it fixes',
    tags,
  },
  listAdvisories: {
    method: 'GET',
    path: '/advisories',
    query: ListAdvisoriesQuery,
    responses: { 200: Page(Advisory) },
    permission: 'read',
    errors: [],
    summary: 'Imported advisories, newest first, filtered by kind, severity or CVE',
    tags,
  },
  getAdvisory: {
    method: 'GET',
    path: '/advisories/:id',
    params: IdParams,
    responses: { 200: Advisory },
    permission: 'read',
    errors: [ErrorCode.ADVISORY_NOT_FOUND],
    summary: 'One advisory with its CVEs and fixed versions',
    tags,
  },
  listAdvisoryFeeds: {
    method: 'GET',
    path: '/advisory-feeds',
    responses: { 200: Page(AdvisoryFeed) },
    permission: 'read',
    errors: [],
    summary: 'Advisory feeds read from a URL on a schedule',
    tags,
  },
  createAdvisoryFeed: {
    method: 'POST',
    path: '/advisory-feeds',
    body: AdvisoryFeedInput,
    responses: { 201: AdvisoryFeed },
    permission: 'software:write',
    errors: [ErrorCode.ADVISORY_FEED_NAME_TAKEN],
    summary: 'Adds an advisory feed URL (imported on its schedule and on demand)',
    tags,
  },
  deleteAdvisoryFeed: {
    method: 'DELETE',
    path: '/advisory-feeds/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.ADVISORY_FEED_NOT_FOUND],
    summary: 'Removes an advisory feed (what it imported stays)',
    tags,
  },
  importAdvisoryFeed: {
    method: 'POST',
    path: '/advisory-feeds/:id/import',
    params: IdParams,
    responses: { 200: AdvisoryImport },
    permission: 'software:write',
    errors: [
      ErrorCode.ADVISORY_FEED_NOT_FOUND,
      ErrorCode.ADVISORY_FEED_UNREACHABLE,
      ErrorCode.ADVISORY_FORMAT_INVALID,
    ],
    summary: 'Reads the feed now (a conditional GET: an unchanged feed is not read again)',
    tags,
  },
  listAdvisoryImports: {
    method: 'GET',
    path: '/advisory-imports',
    query: ListAdvisoryImportsQuery,
    responses: { 200: Page(AdvisoryImport) },
    permission: 'read',
    errors: [],
    summary: 'Advisory imports, newest first',
    tags,
  },
  getCve: {
    method: 'GET',
    path: '/cves/:id',
    params: Type.Object(
      { id: Type.String({ minLength: 1, maxLength: 100 }) },
      { additionalProperties: false },
    ),
    query: CveViewQuery,
    responses: { 200: CveView },
    permission: 'read',
    errors: [ErrorCode.CVE_NOT_FOUND],
    summary:
      'A CVE: its fixed versions per release and which devices are affected, fixed, or affected with no fix released yet',
    tags,
  },
});
