import { type Static, Type } from '@sinclair/typebox';
import { Name, Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';

/**
 * Advisories and the CVE view (issue 10, ADR 0048): public advisory feeds in their own formats,
 * imported from an upload or from a configured URL, matched to updates and to installed
 * packages by source package, release and fixed version.
 */

/** An http(s) URL of an advisory feed. */
export const FeedUrl = Type.String({
  minLength: 8,
  maxLength: 2000,
  pattern: '^https?://[^\\s/?#]+(/[^\\s#]*)?$',
});

/** Steward's one severity scale; every feed's word is mapped onto it by `updateSeverityOf`. */
export const UpdateSeverity = Type.Union([
  Type.Literal('critical'),
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
  Type.Literal('unknown'),
]);
export type UpdateSeverity = Static<typeof UpdateSeverity>;

/** Highest first: the order lists sort by and the "worst of" rule reads. */
export const UPDATE_SEVERITY_ORDER: readonly UpdateSeverity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'unknown',
];

/**
 * A feed's severity word on Steward's scale, declared once: the Debian tracker's urgency
 * (`unimportant`, `low`, `medium`, `high`, `not yet assigned`, with `*`/`**` marks), Ubuntu's
 * priority (`negligible`, `low`, `medium`, `high`, `critical`), OSV/GHSA words (`MODERATE`).
 */
export function updateSeverityOf(word: string | null | undefined): UpdateSeverity {
  const w = (word ?? '').toLowerCase().replace(/\*+$/, '').trim();
  switch (w) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
    case 'negligible':
    case 'unimportant':
      return 'low';
    default:
      return 'unknown';
  }
}

/** The worse of two severities. */
export function worseUpdateSeverity(a: UpdateSeverity, b: UpdateSeverity): UpdateSeverity {
  return UPDATE_SEVERITY_ORDER.indexOf(a) <= UPDATE_SEVERITY_ORDER.indexOf(b) ? a : b;
}

/** The formats an advisory feed can be in. */
export const AdvisoryFormat = Type.Union([
  Type.Literal('debian-tracker'),
  Type.Literal('dsa-list'),
  Type.Literal('dla-list'),
  Type.Literal('usn'),
  Type.Literal('osv'),
]);
export type AdvisoryFormat = Static<typeof AdvisoryFormat>;

export const AdvisoryKind = Type.Union([
  Type.Literal('dsa'),
  Type.Literal('dla'),
  Type.Literal('usn'),
  Type.Literal('osv'),
]);
export type AdvisoryKind = Static<typeof AdvisoryKind>;

/** `CVE-2024-1234` (or another feed's vulnerability id when an advisory names no CVE). */
export const CveId = Type.String({
  minLength: 3,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
});

export const AdvisoryFix = Type.Object({
  release: Type.String(),
  package: Type.String(),
  fixedVersion: Type.String(),
});
export type AdvisoryFix = Static<typeof AdvisoryFix>;

export const Advisory = Type.Object({
  id: Type.String(),
  kind: AdvisoryKind,
  title: Type.String(),
  description: Type.String(),
  severity: UpdateSeverity,
  publishedAt: Nullable(Type.String()),
  cves: Type.Array(Type.String()),
  links: Type.Array(Type.String()),
  fixes: Type.Array(AdvisoryFix),
  importedAt: Type.String(),
});
export type Advisory = Static<typeof Advisory>;

export const ListAdvisoriesQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(AdvisoryKind),
    severity: Type.Optional(UpdateSeverity),
    cve: Type.Optional(CveId),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListAdvisoriesQuery = Static<typeof ListAdvisoriesQuery>;

/** An upload's format; the body is the feed's bytes as published (a zip of OSV records too). */
export const ImportAdvisoriesQuery = Type.Object(
  { format: AdvisoryFormat },
  { additionalProperties: false },
);
export type ImportAdvisoriesQuery = Static<typeof ImportAdvisoriesQuery>;

/** The largest feed accepted, uploaded or read from a URL (the full tracker JSON is ~100 MiB). */
export const ADVISORY_FEED_MAX_BYTES = 512 * 1024 * 1024;
/** What an upload may be sent as. */
export const ADVISORY_MEDIA_TYPES = [
  'application/octet-stream',
  'application/json',
  'text/plain',
  'application/zip',
] as const;

export const AdvisoryImportState = Type.Union([
  Type.Literal('succeeded'),
  Type.Literal('unchanged'),
  Type.Literal('failed'),
]);
export type AdvisoryImportState = Static<typeof AdvisoryImportState>;

export const AdvisoryImport = Type.Object({
  id: Type.String(),
  format: AdvisoryFormat,
  feedId: Nullable(Type.String()),
  state: AdvisoryImportState,
  requestedBy: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  sha256: Nullable(Type.String()),
  advisories: Type.Integer(),
  cves: Type.Integer(),
  fixes: Type.Integer(),
  /** Updates newly marked as security fixes by this import. */
  updatesEnriched: Type.Integer(),
  error: Nullable(Type.String()),
});
export type AdvisoryImport = Static<typeof AdvisoryImport>;

export const AdvisoryFeedInput = Type.Object(
  {
    name: Name,
    format: AdvisoryFormat,
    url: FeedUrl,
    intervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 31, default: 24 })),
  },
  { additionalProperties: false },
);
export type AdvisoryFeedInput = Static<typeof AdvisoryFeedInput>;

export const AdvisoryFeed = Type.Object({
  id: Type.String(),
  name: Type.String(),
  format: AdvisoryFormat,
  url: Type.String(),
  intervalHours: Type.Integer(),
  createdAt: Type.String(),
  lastImport: Nullable(AdvisoryImport),
});
export type AdvisoryFeed = Static<typeof AdvisoryFeed>;

export const ListAdvisoryImportsQuery = Type.Object(
  { ...pagingFields({ maxLimit: 200, defaultLimit: 20 }) },
  { additionalProperties: false },
);
export type ListAdvisoryImportsQuery = Static<typeof ListAdvisoryImportsQuery>;

/** A device's state for a CVE: the CVE view's three answers (ADR 0048). */
export const CveDeviceState = Type.Union([
  Type.Literal('affected'),
  Type.Literal('fixed'),
  Type.Literal('no-fix'),
]);
export type CveDeviceState = Static<typeof CveDeviceState>;

export const CvePackageStatus = Type.Object({
  release: Type.String(),
  package: Type.String(),
  /** `fixed` with the first fixed version, or `open` (no fix released yet). */
  status: Type.Union([Type.Literal('fixed'), Type.Literal('open')]),
  fixedVersion: Nullable(Type.String()),
  severity: UpdateSeverity,
  /** Where this came from: an advisory id, or `tracker`. */
  origins: Type.Array(Type.String()),
});
export type CvePackageStatus = Static<typeof CvePackageStatus>;

export const CveDevice = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  state: CveDeviceState,
  release: Nullable(Type.String()),
  /** The installed binary that decided the state, and its version. */
  binary: Type.String(),
  installedVersion: Type.String(),
  sourcePackage: Type.String(),
  fixedVersion: Nullable(Type.String()),
});
export type CveDevice = Static<typeof CveDevice>;

export const CveView = Type.Object({
  id: Type.String(),
  description: Type.String(),
  severity: UpdateSeverity,
  advisories: Type.Array(Type.String()),
  packages: Type.Array(CvePackageStatus),
  counts: Type.Object({
    affected: Type.Integer(),
    fixed: Type.Integer(),
    noFix: Type.Integer(),
  }),
  devices: Type.Array(CveDevice),
  /** Updates in the catalog that fix this CVE. */
  updates: Type.Array(
    Type.Object({
      id: Type.String(),
      package: Type.String(),
      version: Type.String(),
      sourceName: Type.String(),
    }),
  ),
});
export type CveView = Static<typeof CveView>;

export const CveViewQuery = Type.Object(
  { state: Type.Optional(CveDeviceState) },
  { additionalProperties: false },
);
export type CveViewQuery = Static<typeof CveViewQuery>;
