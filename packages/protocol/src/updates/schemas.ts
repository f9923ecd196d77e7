import { type Static, Type } from '@sinclair/typebox';
import { Name, Nullable } from '../common/schemas.js';
import { integerSetting, settingsDefaults } from '../common/settings.js';
import { pagingFields } from '../http/paging.js';
import { CveId, UpdateSeverity } from './adv-schemas.js';

/**
 * Update sources and the update catalog (issue 10, ADR 0039): apt repositories whose signed
 * indexes the site syncs into updates (one update = one source package version in one source).
 */

/** Limits and default of a source's sync schedule, declared once (ADR 0016). */
export const UpdateSourceSettingsOptions = {
  syncIntervalHours: integerSetting({
    label: 'Sync interval',
    help: 'Hours between scheduled syncs of this source (7 days by default, as the seed; hourly at most)',
    unit: 'hours',
    minimum: 1,
    maximum: 24 * 31,
    default: 24 * 7,
    flag: { kind: 'value', name: 'sync-interval-hours', placeholder: '<hours>' },
  }),
};
export const UPDATE_SOURCE_DEFAULTS = settingsDefaults(UpdateSourceSettingsOptions);

/** A suite, component or architecture: path segments of the archive, so no `..` and no `//`. */
const Word = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^(?!.*(\\.\\.|//))[A-Za-z0-9][A-Za-z0-9._/-]*$',
});
/** An http(s) URL of an apt repository's root (the directory holding `dists/`). */
export const RepositoryUrl = Type.String({
  minLength: 8,
  maxLength: 2000,
  pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
});
/** The source's OpenPGP public keyring, ASCII-armoured (apt's Signed-By). */
export const ArmoredKeyring = Type.String({ minLength: 40, maxLength: 256 * 1024 });

export const UpdateSourceInput = Type.Object(
  {
    name: Name,
    url: RepositoryUrl,
    suite: Word,
    components: Type.Array(Word, { minItems: 1, maxItems: 16, uniqueItems: true }),
    architectures: Type.Array(Word, { minItems: 1, maxItems: 8, uniqueItems: true }),
    keyring: ArmoredKeyring,
    syncIntervalHours: Type.Optional(UpdateSourceSettingsOptions.syncIntervalHours.schema),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateSourceInput = Static<typeof UpdateSourceInput>;

export const UpdateSourcePatch = Type.Partial(UpdateSourceInput, { additionalProperties: false });
export type UpdateSourcePatch = Static<typeof UpdateSourcePatch>;

export const UpdateSyncState = Type.Union([
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('unchanged'),
  Type.Literal('failed'),
]);
export type UpdateSyncState = Static<typeof UpdateSyncState>;

export const UpdateSyncTrigger = Type.Union([Type.Literal('manual'), Type.Literal('scheduled')]);
export type UpdateSyncTrigger = Static<typeof UpdateSyncTrigger>;

/** Why a sync failed, in words a status message and the console can show. */
export const UpdateSyncFailure = Type.Union([
  Type.Literal('bad-signature'),
  Type.Literal('no-public-key'),
  Type.Literal('expired-key'),
  Type.Literal('revoked-key'),
  Type.Literal('weak-digest'),
  Type.Literal('not-signed'),
  Type.Literal('keyring-unreadable'),
  Type.Literal('unreachable'),
  Type.Literal('not-found'),
  Type.Literal('expired'),
  Type.Literal('hash-mismatch'),
  Type.Literal('too-large'),
  Type.Literal('bad-index'),
  Type.Literal('interrupted'),
]);
export type UpdateSyncFailure = Static<typeof UpdateSyncFailure>;

export const UpdateSync = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  state: UpdateSyncState,
  trigger: UpdateSyncTrigger,
  requestedBy: Type.String(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  indexesTotal: Type.Integer(),
  indexesDone: Type.Integer(),
  packagesRead: Type.Integer(),
  added: Type.Integer(),
  superseded: Type.Integer(),
  failure: Nullable(UpdateSyncFailure),
  error: Nullable(Type.String()),
});
export type UpdateSync = Static<typeof UpdateSync>;

export const UpdateSource = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  suite: Type.String(),
  components: Type.Array(Type.String()),
  architectures: Type.Array(Type.String()),
  keyring: Type.String(),
  syncIntervalHours: Type.Integer(),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  /** The fingerprint of the key that signed the last verified Release. */
  signedBy: Nullable(Type.String()),
  lastSync: Nullable(UpdateSync),
  updateCount: Type.Integer(),
});
export type UpdateSource = Static<typeof UpdateSource>;

export const UpdateClassification = Type.Union([
  Type.Literal('security'),
  Type.Literal('updates'),
  Type.Literal('other'),
]);
export type UpdateClassification = Static<typeof UpdateClassification>;

/**
 * An update's state on one device (the seed's scan result): `installed` (the device has the
 * update's version or newer of every binary it has), `required` (it has at least one binary at an
 * older version), `not-required` (it has none of the update's binaries), `unknown` (no scan or
 * inventory to tell). Held and pinned packages are reported beside the state, not as plain
 * `required`.
 */
export const UpdateComplianceState = Type.Union([
  Type.Literal('installed'),
  Type.Literal('required'),
  Type.Literal('not-required'),
  Type.Literal('unknown'),
]);
export type UpdateComplianceState = Static<typeof UpdateComplianceState>;

export const UpdateBinary = Type.Object({
  package: Type.String(),
  version: Type.String(),
  architecture: Type.String(),
});
export type UpdateBinary = Static<typeof UpdateBinary>;

export const SoftwareUpdate = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  sourceName: Type.String(),
  /** The source package (`openssl`). */
  package: Type.String(),
  version: Type.String(),
  classification: UpdateClassification,
  binaries: Type.Array(UpdateBinary),
  /** When a sync first saw this version (the catalog's publish date until advisories give one). */
  firstSeenAt: Type.String(),
  /**
   * The archive's publish date: the Release file's Date of the sync that first saw this
   * version (the sync's time when the Release has none).
   */
  publishedAt: Type.String(),
  /** When a changed index last replaced this version's files (null: never), and how often. */
  revisedAt: Nullable(Type.String()),
  revision: Type.Integer({ minimum: 0 }),
  supersededAt: Nullable(Type.String()),
  supersededBy: Nullable(Type.String()),
  /** From advisories (ADR 0048): the worst severity of what it fixes, `unknown` when none say. */
  severity: UpdateSeverity,
  /** CVE ids and advisory ids this update fixes (from imported advisories). */
  cves: Type.Array(Type.String()),
  advisories: Type.Array(Type.String()),
  /** When a superseded update leaves the deployable catalog (ADR 0049); null when it never does. */
  expiresAt: Nullable(Type.String()),
  expired: Type.Boolean(),
  /**
   * In the catalog list only: devices with it installed and devices needing it (held and pinned
   * count as needing it), each from its basis (its scan of the current catalog, else its
   * inventory), as the compliance overview counts them.
   */
  installed: Type.Optional(Type.Integer()),
  required: Type.Optional(Type.Integer()),
});
export type SoftwareUpdate = Static<typeof SoftwareUpdate>;

export const ListUpdatesQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200 })),
    sourceId: Type.Optional(Type.String({ maxLength: 100 })),
    classification: Type.Optional(UpdateClassification),
    /** `superseded` includes expired ones; `expired` only those past the expiry rule (ADR 0049). */
    state: Type.Optional(
      Type.Union([Type.Literal('current'), Type.Literal('superseded'), Type.Literal('expired')]),
    ),
    severity: Type.Optional(UpdateSeverity),
    cve: Type.Optional(CveId),
    advisory: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListUpdatesQuery = Static<typeof ListUpdatesQuery>;

export const ListUpdateSyncsQuery = Type.Object(
  { ...pagingFields({ maxLimit: 200, defaultLimit: 20 }) },
  { additionalProperties: false },
);
export type ListUpdateSyncsQuery = Static<typeof ListUpdateSyncsQuery>;
