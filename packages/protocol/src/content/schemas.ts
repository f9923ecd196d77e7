import { type Static, Type } from '@sinclair/typebox';
import { Description, Id, Name, Nullable, Sha256 } from '../common/schemas.js';
import { MAX_BYTES } from '../http/paging.js';

// ---- content access tokens (site -> client -> DP) ----

/** At most this many package versions in one content access token. */
export const MAX_TOKEN_PACKAGE_VERSIONS = 64;

/**
 * Payload of a content access token: `base64url(json).base64url(ed25519 signature)`. It names
 * what the device may download (issue 7, finding 6): the site (code and CA fingerprint) and the
 * package versions the device is entitled to; a DP or the site server serves a file only when
 * it belongs to one of them. Short-lived (`CONTENT_TOKEN_SECONDS`), because DPs check offline.
 */
export const ContentAccessClaims = Type.Object({
  deviceId: Type.String(),
  siteCode: Type.String(),
  /** SHA-256 (hex) of the site CA certificate: the site the token is for. */
  site: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Package versions whose files this token downloads (versions of programs deployed to it). */
  packageVersionIds: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: MAX_TOKEN_PACKAGE_VERSIONS,
  }),
  /**
   * Site content outside packages, by name (reserved for agent versions and OS images): no name
   * is issued yet, and a name grants nothing until the servers learn which files it covers.
   */
  siteContent: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 16 }),
  ),
  /** Issued at, epoch seconds. */
  iat: Type.Integer(),
  /** Expiry, epoch seconds. */
  exp: Type.Integer(),
});
export type ContentAccessClaims = Static<typeof ContentAccessClaims>;

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

/** DPs (id or name each) to add to a DP group. */
export const AddDpGroupMembersRequest = Type.Object(
  { dpIds: Type.Array(Id, { maxItems: 10000 }) },
  { additionalProperties: false },
);
export type AddDpGroupMembersRequest = Static<typeof AddDpGroupMembersRequest>;

/**
 * `:sha256` of a content file. Any string: a name that is not a SHA-256 is answered like an
 * unknown file (404 CONTENT_NOT_FOUND), not as a malformed request, on every route that serves files.
 */
export const FileParams = Type.Object({ sha256: Type.String() });

/** What a file download answers with: the bytes themselves (see `Operation.binaryResponse`). */
export const FileBytes = Type.String({
  contentMediaType: 'application/octet-stream',
  description: "The file's bytes (a range of them with 206 Partial Content)",
});
