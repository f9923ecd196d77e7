import { Type, type Static } from '@sinclair/typebox';
import { Description, Id, Name, Nullable, Sha256 } from './common.js';
import { MAX_BYTES, WEEK_MINUTES } from '../paging.js';

// ---- content library ----

/** One file of a package version: where it goes (relative path) and which stored file it is. */
export const ManifestEntry = Type.Object(
  {
    /** Relative POSIX path inside the package, no `..`, no leading `/`. */
    path: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\u0000]+$',
    }),
    sha256: Sha256,
    size: Type.Integer({ minimum: 0, maximum: MAX_BYTES }),
    /** Unix permission bits (e.g. 0o755 = 493); the executable bit matters for scripts. */
    mode: Type.Integer({ minimum: 0, maximum: 0o7777 }),
  },
  { additionalProperties: false },
);
export type ManifestEntry = Static<typeof ManifestEntry>;

export const PackagePriority = Type.Union([
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
]);
export type PackagePriority = Static<typeof PackagePriority>;

export const CreatePackageRequest = Type.Object(
  {
    name: Name,
    publisher: Type.Optional(Type.String({ maxLength: 200 })),
    /** The product's own version label (free text); content versions are numbered by the site. */
    version: Type.Optional(Type.String({ maxLength: 100 })),
    description: Type.Optional(Description),
    priority: Type.Optional(PackagePriority),
  },
  { additionalProperties: false },
);
export type CreatePackageRequest = Static<typeof CreatePackageRequest>;
export const UpdatePackageRequest = Type.Partial(CreatePackageRequest, {
  additionalProperties: false,
});
export type UpdatePackageRequest = Static<typeof UpdatePackageRequest>;

export const PackageVersion = Type.Object({
  id: Type.String(),
  packageId: Type.String(),
  /** 1, 2, 3... per package; the highest is current: clients always get it. */
  number: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  fileCount: Type.Integer(),
  sizeBytes: Type.Number(),
  /** How the source arrived: 'files' (hash-first upload), 'archive', 'folder' (a path on the site server). */
  source: Type.String(),
  current: Type.Boolean(),
});
export type PackageVersion = Static<typeof PackageVersion>;

export const Package = Type.Object({
  id: Type.String(),
  name: Type.String(),
  publisher: Type.String(),
  version: Type.String(),
  description: Type.String(),
  priority: PackagePriority,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  currentVersion: Nullable(PackageVersion),
  programCount: Type.Integer(),
  /** DPs targeted / holding the current version (content status summary). */
  dpTargeted: Type.Integer(),
  dpInstalled: Type.Integer(),
});
export type Package = Static<typeof Package>;

/** Which of the given hashes the library does not hold yet (hash-first upload). */
export const MissingContentRequest = Type.Object(
  { sha256: Type.Array(Sha256, { maxItems: 100000 }) },
  { additionalProperties: false },
);
export type MissingContentRequest = Static<typeof MissingContentRequest>;
export const MissingContentResponse = Type.Object({ missing: Type.Array(Type.String()) });
export type MissingContentResponse = Static<typeof MissingContentResponse>;

export const StoredContentFile = Type.Object({ sha256: Type.String(), size: Type.Number() });
export type StoredContentFile = Static<typeof StoredContentFile>;

/** New package version from files already in the library (uploaded with PUT /content/files/:sha256). */
export const CreateVersionFromFilesRequest = Type.Object(
  { files: Type.Array(ManifestEntry, { minItems: 1, maxItems: 100000 }) },
  { additionalProperties: false },
);
export type CreateVersionFromFilesRequest = Static<typeof CreateVersionFromFilesRequest>;

/** New package version from a folder on the site server (the SMS "package source"). */
export const CreateVersionFromFolderRequest = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export type CreateVersionFromFolderRequest = Static<typeof CreateVersionFromFolderRequest>;

/** Versions `POST /packages/:id/versions/prune` keeps when not told (the current one always stays). */
export const DEFAULT_VERSIONS_KEPT = 2;

/** Deletes old versions, keeping the newest `keep`; the body may be left out. */
export const PruneVersionsRequest = Type.Object(
  {
    keep: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_VERSIONS_KEPT }),
    ),
  },
  { additionalProperties: false },
);
export type PruneVersionsRequest = Static<typeof PruneVersionsRequest>;

export const ContentLibraryStats = Type.Object({
  fileCount: Type.Integer(),
  totalBytes: Type.Number(),
  /** Bytes the manifests would take without single-instance storage. */
  referencedBytes: Type.Number(),
  packageVersionCount: Type.Integer(),
});
export type ContentLibraryStats = Static<typeof ContentLibraryStats>;

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

/** DPs (id or name each) to add to a DP group. */
export const AddDpGroupMembersRequest = Type.Object(
  { dpIds: Type.Array(Id, { maxItems: 10000 }) },
  { additionalProperties: false },
);
export type AddDpGroupMembersRequest = Static<typeof AddDpGroupMembersRequest>;

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

// ---- boundaries ----

export const BoundaryType = Type.Union([Type.Literal('subnet'), Type.Literal('range')]);
export type BoundaryType = Static<typeof BoundaryType>;

export const CreateBoundaryRequest = Type.Object(
  {
    name: Name,
    type: BoundaryType,
    /** subnet: `10.1.0.0/16` or an IPv6 prefix; range: `10.1.0.10-10.1.0.200`. */
    value: Type.String({ minLength: 3, maxLength: 100 }),
    boundaryGroupIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type CreateBoundaryRequest = Static<typeof CreateBoundaryRequest>;
export const UpdateBoundaryRequest = Type.Partial(CreateBoundaryRequest, {
  additionalProperties: false,
});
export type UpdateBoundaryRequest = Static<typeof UpdateBoundaryRequest>;

export const Boundary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: BoundaryType,
  value: Type.String(),
  boundaryGroupIds: Type.Array(Type.String()),
});
export type Boundary = Static<typeof Boundary>;

export const BoundaryGroupNeighbour = Type.Object(
  {
    boundaryGroupId: Id,
    /** Clients try this neighbour's DPs after failing locally for this long (default 120). */
    fallbackAfterMinutes: Type.Integer({ minimum: 0, maximum: WEEK_MINUTES }),
  },
  { additionalProperties: false },
);
export type BoundaryGroupNeighbour = Static<typeof BoundaryGroupNeighbour>;

export const CreateBoundaryGroupRequest = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    /** Site code the group's clients are assigned to (this site when omitted). */
    siteCode: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
    dpIds: Type.Optional(Type.Array(Id, { maxItems: 10000 })),
    neighbours: Type.Optional(Type.Array(BoundaryGroupNeighbour, { maxItems: 1000 })),
    /** Slow or unreliable link: deployments may refuse to run over it. */
    slow: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateBoundaryGroupRequest = Static<typeof CreateBoundaryGroupRequest>;
export const UpdateBoundaryGroupRequest = Type.Partial(CreateBoundaryGroupRequest, {
  additionalProperties: false,
});
export type UpdateBoundaryGroupRequest = Static<typeof UpdateBoundaryGroupRequest>;

export const BoundaryGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  siteCode: Type.String(),
  dpIds: Type.Array(Type.String()),
  boundaryIds: Type.Array(Type.String()),
  neighbours: Type.Array(BoundaryGroupNeighbour),
  slow: Type.Boolean(),
});
export type BoundaryGroup = Static<typeof BoundaryGroup>;

/**
 * Where a client gets content, best first. `tier` says why a DP is in the list; `afterMinutes`
 * is how long the client must have failed with earlier entries before it may use this one.
 */
export const ContentLocation = Type.Object({
  dpId: Type.String(),
  name: Type.String(),
  url: Type.String(),
  tier: Type.Union([
    Type.Literal('local'),
    Type.Literal('neighbour'),
    Type.Literal('fallback'),
    Type.Literal('default'),
  ]),
  afterMinutes: Type.Integer(),
});
export type ContentLocation = Static<typeof ContentLocation>;

export const ContentLocations = Type.Object({
  packageVersionId: Type.String(),
  clientAddress: Type.String(),
  boundaryGroupIds: Type.Array(Type.String()),
  /** Any of the client's boundary groups is marked slow/unreliable. */
  slow: Type.Boolean(),
  locations: Type.Array(ContentLocation),
  /** Bearer token DPs accept for this device's downloads (signed by the site). */
  accessToken: Type.String(),
  accessTokenExpiresAt: Type.String(),
});
export type ContentLocations = Static<typeof ContentLocations>;

/** Admin troubleshooting: which boundary groups and DPs a client address would get. */
export const ResolveLocationQuery = Type.Object(
  { ip: Type.String({ minLength: 2, maxLength: 64 }), packageId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type ResolveLocationQuery = Static<typeof ResolveLocationQuery>;
