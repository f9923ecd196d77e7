import { type Static, Type } from '@sinclair/typebox';
import { DpPxeAssigned } from '../pxe/site-schemas.js';
import { DpMulticastAssigned } from '../multicast/schemas.js';
import { DpStateMigrationAssigned } from '../user-state/schemas.js';
import { Description, Id, Name, Nullable, Sha256 } from '../common/schemas.js';
import { ManifestEntry } from '../content/schemas.js';
import { MAX_BYTES } from '../http/paging.js';

/** Header carrying `<dpId>.<dpKey>` on every DP request after registration. */
export const DP_AUTH_HEADER = 'x-steward-dp';

// ---- DP process <-> site ----

export const DpRegisterRequest = Type.Object(
  {
    secret: Type.String({ minLength: 16, maxLength: 256 }),
    /** Base URL clients will use, e.g. https://dp1.branch.example:8444 */
    url: Type.String({ minLength: 8, maxLength: 2048 }),
    /** Names and addresses to put in the DP's TLS certificate. */
    hostnames: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      minItems: 1,
      maxItems: 100,
    }),
    version: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type DpRegisterRequest = Static<typeof DpRegisterRequest>;

export const DpRegisterResponse = Type.Object({
  dpId: Type.String(),
  dpKey: Type.String(),
  siteCode: Type.String(),
  /** TLS certificate chain and key for the DP's listener, issued by the site CA. */
  certChainPem: Type.String(),
  keyPem: Type.String(),
  /** Verifies content access tokens (the site's policy-signing key, SPKI PEM). */
  accessTokenKey: Type.String(),
});
export type DpRegisterResponse = Static<typeof DpRegisterResponse>;

export const DpAssignedPackage = Type.Object({
  packageId: Type.String(),
  packageName: Type.String(),
  packageVersionId: Type.String(),
  versionNumber: Type.Integer(),
  files: Type.Array(ManifestEntry),
  /** Set when an administrator asked to validate content; the DP re-hashes and reports. */
  validateRequestedAt: Nullable(Type.String()),
});
export type DpAssignedPackage = Static<typeof DpAssignedPackage>;

export const DpAssignments = Type.Object({
  packages: Type.Array(DpAssignedPackage),
  /** Seconds until the DP should ask again (it is also nudged through nothing: it polls). */
  pollSeconds: Type.Integer(),
  /** The DP's PXE settings from the site (ADR 0079); absent from a site before them. */
  pxe: Type.Optional(DpPxeAssigned),
  /** The DP's multicast settings (ADR 0088); absent: multicast off (or a site before them). */
  multicast: Type.Optional(DpMulticastAssigned),
  /** The DP's state migration point role (ADR 0096); absent: no role (or a site before it). */
  stateMigration: Type.Optional(DpStateMigrationAssigned),
});
export type DpAssignments = Static<typeof DpAssignments>;
export type DpStatusItem = Static<typeof DpStatusItem>;
export type DpStatusReport = Static<typeof DpStatusReport>;

// ---- distribution points ----

export const DistributionPointState = Type.Union([
  /** Created; the DP process has not registered yet. */
  Type.Literal('pending'),
  Type.Literal('online'),
  /** No heartbeat for 3 intervals. */
  Type.Literal('offline'),
]);
export type DistributionPointState = Static<typeof DistributionPointState>;

export const DistributionPoint = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  /** HTTPS base URL clients download from (reported by the DP at registration). */
  url: Nullable(Type.String()),
  /** The site server's own DP (always exists, cannot be deleted). */
  isSiteServer: Type.Boolean(),
  /** Serves only clients of its own boundary groups. */
  protected: Type.Boolean(),
  state: DistributionPointState,
  lastSeenAt: Nullable(Type.String()),
  version: Nullable(Type.String()),
  groupIds: Type.Array(Type.String()),
  boundaryGroupIds: Type.Array(Type.String()),
  packagesTargeted: Type.Integer(),
  packagesInstalled: Type.Integer(),
  /** Bytes held on the DP (as last reported). */
  storedBytes: Type.Number(),
});
export type DistributionPoint = Static<typeof DistributionPoint>;

export const CreateDistributionPointRequest = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    protected: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateDistributionPointRequest = Static<typeof CreateDistributionPointRequest>;
export const UpdateDistributionPointRequest = Type.Partial(CreateDistributionPointRequest, {
  additionalProperties: false,
});
export type UpdateDistributionPointRequest = Static<typeof UpdateDistributionPointRequest>;

/** Returned once on create (and on token renewal): what `steward server --roles dp --dp-token` takes. */
export const DistributionPointRegistration = Type.Object({
  distributionPoint: DistributionPoint,
  registrationToken: Type.String(),
  expiresAt: Type.String(),
});
export type DistributionPointRegistration = Static<typeof DistributionPointRegistration>;

export const DpGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  memberIds: Type.Array(Type.String()),
  packageIds: Type.Array(Type.String()),
  /**
   * Members that lack some of the group's packages: adding a DP to a group does not distribute
   * the group's packages to it (seed 004); "distribute to new members" does.
   */
  membersMissingContent: Type.Array(
    Type.Object({ dpId: Type.String(), missingPackageIds: Type.Array(Type.String()) }),
  ),
});
export type DpGroup = Static<typeof DpGroup>;

export const CreateDpGroupRequest = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    memberIds: Type.Optional(Type.Array(Id, { maxItems: 10000 })),
  },
  { additionalProperties: false },
);
export type CreateDpGroupRequest = Static<typeof CreateDpGroupRequest>;
export const UpdateDpGroupRequest = Type.Partial(CreateDpGroupRequest, {
  additionalProperties: false,
});
export type UpdateDpGroupRequest = Static<typeof UpdateDpGroupRequest>;

/** Distribute a package's current version to DPs and/or every member of DP groups. */
export const DistributeRequest = Type.Object(
  {
    dpIds: Type.Optional(Type.Array(Id, { maxItems: 10000 })),
    dpGroupIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type DistributeRequest = Static<typeof DistributeRequest>;

export const ValidateContentRequest = Type.Object(
  { dpIds: Type.Optional(Type.Array(Id, { maxItems: 10000 })) },
  { additionalProperties: false },
);
export type ValidateContentRequest = Static<typeof ValidateContentRequest>;

export const ContentState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('distributing'),
  Type.Literal('installed'),
  Type.Literal('failed'),
  /** Validate content found a file missing or with the wrong hash on the DP. */
  Type.Literal('validation-failed'),
  Type.Literal('removing'),
]);

export const DpStatusItem = Type.Object(
  {
    packageVersionId: Type.String({ minLength: 1, maxLength: 200 }),
    state: ContentState,
    bytesDone: Type.Number({ minimum: 0, maximum: MAX_BYTES }),
    bytesTotal: Type.Number({ minimum: 0, maximum: MAX_BYTES }),
    message: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Set when this report is the result of validate content. */
    validatedAt: Type.Optional(Type.String({ format: 'date-time' })),
    badFiles: Type.Optional(Type.Array(Sha256, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);

export const DpStatusReport = Type.Object(
  {
    version: Type.String({ maxLength: 64 }),
    storedBytes: Type.Number({ minimum: 0, maximum: MAX_BYTES }),
    items: Type.Array(DpStatusItem, { maxItems: 10000 }),
    /** The URL the DP serves at now (when it changed since registration: new port or --public-url). */
    url: Type.Optional(Type.String({ minLength: 8, maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type ContentState = Static<typeof ContentState>;

/** Content status of one package on one DP. */
export const DpContentStatus = Type.Object({
  packageId: Type.String(),
  packageName: Type.String(),
  dpId: Type.String(),
  dpName: Type.String(),
  /** Version the DP should hold (the package's current version). */
  versionNumber: Type.Integer(),
  state: ContentState,
  bytesDone: Type.Number(),
  bytesTotal: Type.Number(),
  message: Nullable(Type.String()),
  updatedAt: Type.String(),
  validatedAt: Nullable(Type.String()),
});
export type DpContentStatus = Static<typeof DpContentStatus>;

/** The package status view: DPs targeted, installed, percent complete, and every DP's row. */
export const PackageContentStatus = Type.Object({
  packageId: Type.String(),
  versionNumber: Nullable(Type.Integer()),
  targeted: Type.Integer(),
  installed: Type.Integer(),
  distributing: Type.Integer(),
  failed: Type.Integer(),
  percentComplete: Type.Number(),
  distributionPoints: Type.Array(DpContentStatus),
});
export type PackageContentStatus = Static<typeof PackageContentStatus>;
