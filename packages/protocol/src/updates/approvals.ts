import { type Static, Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { Description, Name } from '../common/schemas.js';
import { defineOperations } from '../http/operation.js';
import { RepositoryUrl } from './schemas.js';

/**
 * Approved-update lists between sites (issue 10; the seed's test site to production): update
 * groups exported as a JSON document whose entries name updates by what is the same on every
 * site (the source's URL and suite, the source package and version), never by a site's ids.
 */

export const APPROVED_LIST_SCHEMA_VERSION = 1;

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** One approved apt update: the source's URL and suite (+ components, informative), package, version. */
export const ApprovedAptEntry = Type.Object(
  {
    kind: Type.Literal('apt'),
    url: RepositoryUrl,
    suite: Text(64),
    components: Type.Optional(Type.Array(Text(64), { maxItems: 16 })),
    package: Text(200),
    version: Text(200),
  },
  { additionalProperties: false },
);
export type ApprovedAptEntry = Static<typeof ApprovedAptEntry>;

export const ApprovedListGroup = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    updates: Type.Array(ApprovedAptEntry, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type ApprovedListGroup = Static<typeof ApprovedListGroup>;

export const ApprovedListDocument = Type.Object(
  {
    schemaVersion: Type.Literal(APPROVED_LIST_SCHEMA_VERSION),
    /** The exporting site's name (informative). */
    site: Text(200),
    exportedAt: Text(40),
    groups: Type.Array(ApprovedListGroup, { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type ApprovedListDocument = Static<typeof ApprovedListDocument>;

export const ApprovedListExportQuery = Type.Object(
  {
    /** Group names or ids to export (comma-separated); all groups when absent. */
    groups: Type.Optional(Type.String({ minLength: 1, maxLength: 8000 })),
  },
  { additionalProperties: false },
);
export type ApprovedListExportQuery = Static<typeof ApprovedListExportQuery>;

export const ApprovedListImportQuery = Type.Object(
  { dryRun: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ApprovedListImportQuery = Static<typeof ApprovedListImportQuery>;

/**
 * How an entry fared: one update of this site's catalog has that identity (matched), none has
 * (not-in-catalog: the source is not synced here, or not to that version yet), or several do
 * (ambiguous: two sources read the same URL and suite): only matched entries are added.
 */
export const ApprovedEntryResult = Type.Union([
  Type.Literal('matched'),
  Type.Literal('not-in-catalog'),
  Type.Literal('ambiguous'),
]);
export type ApprovedEntryResult = Static<typeof ApprovedEntryResult>;

export const ApprovedListImportReport = Type.Object({
  dryRun: Type.Boolean(),
  groups: Type.Array(
    Type.Object({
      name: Type.String(),
      /** The group was created, or an existing one of that name got the matched updates. */
      action: Type.Union([Type.Literal('create'), Type.Literal('update')]),
      groupId: Type.Union([Type.String(), Type.Null()]),
      /** Matched updates not in the group before (added, or would be on a dry run). */
      added: Type.Integer(),
      entries: Type.Array(
        Type.Object({
          entry: ApprovedAptEntry,
          result: ApprovedEntryResult,
          updateIds: Type.Array(Type.String()),
        }),
      ),
    }),
  ),
  matched: Type.Integer(),
  notInCatalog: Type.Integer(),
  ambiguous: Type.Integer(),
});
export type ApprovedListImportReport = Static<typeof ApprovedListImportReport>;

const tags = ['software-updates'];

export const updateApprovalOperations = defineOperations({
  exportApprovals: {
    method: 'GET',
    path: '/update-approvals/export',
    query: ApprovedListExportQuery,
    responses: { 200: ApprovedListDocument },
    permission: 'read',
    errors: [ErrorCode.UPDATE_APPROVALS_GROUP_NOT_FOUND],
    summary: 'Update groups as a portable approved-update list (identities, not ids)',
    tags,
  },
  importApprovals: {
    method: 'POST',
    path: '/update-approvals/import',
    query: ApprovedListImportQuery,
    body: ApprovedListDocument,
    responses: { 200: ApprovedListImportReport },
    permission: 'software:write',
    errors: [],
    summary:
      "Creates or extends update groups from another site's list, matching this catalog (all or nothing; dryRun writes nothing)",
    tags,
  },
});
