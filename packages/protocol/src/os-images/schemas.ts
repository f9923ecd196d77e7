import { type Static, Type } from '@sinclair/typebox';
import { Name, Nullable, Sha256 } from '../common/schemas.js';
import { MAX_BYTES } from '../http/paging.js';

/**
 * An OS image (issue 11, ADR 0077): one zstd-compressed tar archive per file system, and this
 * manifest beside them. File-based archives, not block images: one image applies to any disk
 * size and to both the BIOS and the UEFI layout, and extraction runs at the speed of a plain
 * `tar -x` of the same files. Boot loader files are not in it (the ESP is rebuilt by the
 * boot-loader step), so neither is machine identity (removed by capture's generalisation).
 */
export const OS_IMAGE_MANIFEST_FILE = 'os-image.json';
export const OS_IMAGE_FORMAT = 1;

export const OsImageFileSystem = Type.Object(
  {
    /** Where it is mounted in the installed system ('/' for the root). */
    mountpoint: Type.String({ pattern: '^/', maxLength: 200 }),
    type: Type.Union([Type.Literal('ext4'), Type.Literal('vfat')]),
    /** Bytes its files take once extracted (what the target partition must hold). */
    usedBytes: Type.Integer({ minimum: 0, maximum: MAX_BYTES }),
    /** The archive's file name beside the manifest (`root.tar.zst`). */
    archive: Type.String({ pattern: '^[A-Za-z0-9._-]+\\.tar\\.zst$', maxLength: 100 }),
    archiveBytes: Type.Integer({ minimum: 0, maximum: MAX_BYTES }),
    sha256: Sha256,
  },
  { additionalProperties: false },
);
export type OsImageFileSystem = Static<typeof OsImageFileSystem>;

/** What the image holds, read from its /etc/os-release and its architecture. */
export const OsImageFacts = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    versionId: Type.String({ maxLength: 64 }),
    prettyName: Type.String({ maxLength: 200 }),
    arch: Type.String({ maxLength: 32 }),
  },
  { additionalProperties: false },
);
export type OsImageFacts = Static<typeof OsImageFacts>;

export const OsImageManifest = Type.Object(
  {
    format: Type.Literal(OS_IMAGE_FORMAT),
    name: Name,
    /** How it was made: captured from a reference machine, or built by debootstrap. */
    source: Type.Union([Type.Literal('capture'), Type.Literal('debootstrap')]),
    os: OsImageFacts,
    fileSystems: Type.Array(OsImageFileSystem, { minItems: 1, maxItems: 16 }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type OsImageManifest = Static<typeof OsImageManifest>;

// ---- OS images as site content (issue 11, ADR 0085) ----

/**
 * An OS image of the site: one version of a named image, its manifest facts, and the
 * content-library package (`os-image-<name>-<version>`) holding `os-image.json` and its
 * archives, distributed to DPs like any package (ADR 0085).
 */
export const OsImage = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Each import (or capture) of a name is its next version. */
  version: Type.Integer(),
  source: Type.Union([Type.Literal('capture'), Type.Literal('debootstrap')]),
  os: OsImageFacts,
  fileSystems: Type.Array(OsImageFileSystem),
  /** Bytes of every archive together (what a DP stores and a machine downloads). */
  archiveBytes: Type.Integer(),
  /** Bytes the files take once extracted (what the target disk must hold). */
  usedBytes: Type.Integer(),
  /** When the image was made (its manifest), and when the site recorded it. */
  madeAt: Type.String(),
  /** The content-library package and version holding the files (null: the package was deleted). */
  packageId: Nullable(Type.String()),
  packageVersionId: Nullable(Type.String()),
  /** Who recorded it: an administrator, or `boot:<computer>` for a capture step's upload. */
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type OsImage = Static<typeof OsImage>;

/**
 * Records an OS image whose archives are already in the content library (hash-first upload:
 * `POST /content/missing`, `PUT /content/files/{sha256}`, then this). The manifest is the
 * image's `os-image.json`; its SHA-256 and size per archive are checked against the library.
 */
export const ImportOsImageRequest = Type.Object(
  {
    manifest: OsImageManifest,
    /** Recorded under this name instead of the manifest's. */
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type ImportOsImageRequest = Static<typeof ImportOsImageRequest>;

// ---- default OS images built by the site (issue 11, ADR 0093) ----

export const OS_IMAGE_BUILD_STATUSES = ['building', 'ready', 'failed', 'interrupted'] as const;
export const OsImageBuildStatus = Type.Union(OS_IMAGE_BUILD_STATUSES.map((s) => Type.Literal(s)));
export type OsImageBuildStatus = (typeof OS_IMAGE_BUILD_STATUSES)[number];

export const OS_IMAGE_BUILD_ARCHES = ['amd64', 'arm64'] as const;
export const OsImageBuildArch = Type.Union(OS_IMAGE_BUILD_ARCHES.map((a) => Type.Literal(a)));
export type OsImageBuildArch = (typeof OS_IMAGE_BUILD_ARCHES)[number];

/** A Debian release (suite or code name): `bookworm`, `trixie`, `stable`. */
export const DebianRelease = Type.String({
  minLength: 2,
  maxLength: 32,
  pattern: '^[a-z][a-z0-9-]*$',
});

/** A Debian mirror URL (the same rule as the boot image settings' mirror). */
export const DebianMirrorUrl = Type.String({
  minLength: 8,
  maxLength: 500,
  pattern: '^(https?|file)://[^\\s]+$',
});

/**
 * A default OS image built by the site without a reference machine (ADR 0093): debootstrap of
 * a Debian release from a mirror (`packages/server/assets/os-image/os-image-build.sh`), the
 * result recorded as the next version of `name` like an imported image. The build is a
 * background job of the server process that accepted it; this row is its progress.
 */
export const OsImageBuild = Type.Object({
  id: Type.String(),
  /** The OS image name the result is recorded under. */
  name: Type.String(),
  release: Type.String(),
  arch: OsImageBuildArch,
  /** The Debian mirror it came from (the request's, the site's, or the server's apt sources). */
  mirror: Type.String(),
  status: OsImageBuildStatus,
  /** 0-100, and what the build is doing (or why it failed). */
  progress: Type.Integer(),
  progressText: Type.String(),
  /** Whether the debootstrap result came from the server's cache (no new debootstrap). */
  fromCache: Type.Boolean(),
  /** The recorded OS image version once ready. */
  osImageId: Nullable(Type.String()),
  osImageVersion: Nullable(Type.Integer()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  finishedAt: Nullable(Type.String()),
});
export type OsImageBuild = Static<typeof OsImageBuild>;

export const BuildOsImageRequest = Type.Object(
  {
    release: DebianRelease,
    /** Default: `Debian <release>`. */
    name: Type.Optional(Name),
    /** Default amd64. */
    arch: Type.Optional(OsImageBuildArch),
    /** Default: the boot image settings' mirror, else the server's own apt sources. */
    mirror: Type.Optional(DebianMirrorUrl),
  },
  { additionalProperties: false },
);
export type BuildOsImageRequest = Static<typeof BuildOsImageRequest>;
