import { type Static, Type } from '@sinclair/typebox';
import { ContentLocation } from '../boundaries/schemas.js';
import { Nullable } from '../common/schemas.js';
import { OsImageManifest } from '../os-images/schemas.js';
import { RunnableSequence } from '../task-sequences/schemas.js';

/**
 * Boot images (issue 11, ADR 0065): the WinPE analog, a Debian kernel and an initramfs holding a
 * whole minimal Debian root with the deployment tools, Node.js and the agent's boot stage
 * (`steward-agent boot-env`). Boot images are content: every build is a new version of the
 * image's content-library package, distributed to DPs like any package and served by them at
 * `/content/v1/boot/<package id>/<file>` for PXE (ADR 0066).
 */

export const BootImageArch = Type.Union([Type.Literal('amd64'), Type.Literal('arm64')]);
export type BootImageArch = Static<typeof BootImageArch>;

/** A Debian package name (Debian policy 5.6.1). */
export const DebianPackageName = Type.String({ pattern: '^[a-z0-9][a-z0-9+.-]{1,99}$' });

export const BootImageName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
});

export const BootImageStatus = Type.Union([
  Type.Literal('building'),
  Type.Literal('ready'),
  Type.Literal('failed'),
  // The process running the build stopped (a server restart): ADR 0079.
  Type.Literal('interrupted'),
]);
export type BootImageStatus = Static<typeof BootImageStatus>;

export const BootImageFile = Type.Object({
  /** `vmlinuz` or `initrd.img`. */
  name: Type.String(),
  sha256: Type.String(),
  size: Type.Integer(),
});

export const BootImage = Type.Object({
  id: Type.String(),
  name: Type.String(),
  arch: BootImageArch,
  /** The version of the image: each build of a name is the next one. */
  version: Type.Integer(),
  status: BootImageStatus,
  /** Build progress, 0-100, and what it is doing (while building) or why it failed. */
  progress: Type.Integer(),
  progressText: Type.String(),
  /** The Debian suite and mirror the root came from. */
  suite: Type.String(),
  mirror: Type.String(),
  extraPackages: Type.Array(Type.String()),
  driverIds: Type.Array(Type.String()),
  /** The site URL the boot environment contacts (pinned in the image with the site CA). */
  siteUrl: Type.String(),
  /** The content-library package holding the files (null until built). */
  packageId: Nullable(Type.String()),
  files: Type.Array(BootImageFile),
  /** Kernel command line a PXE menu or QEMU passes (the initramfs is the root: no root=). */
  kernelArgs: Type.String(),
  /** The SHA-256 prefix of the cached root recipe this image was assembled from. */
  rootKey: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  builtAt: Nullable(Type.String()),
});
export type BootImage = Static<typeof BootImage>;

export const BuildBootImageRequest = Type.Object(
  {
    /** Default `default-<arch>`; a build with an existing name is its next version. */
    name: Type.Optional(BootImageName),
    arch: Type.Optional(BootImageArch),
    /** Debian packages added to the boot environment (custom boot images). */
    extraPackages: Type.Optional(
      Type.Array(DebianPackageName, { maxItems: 64, uniqueItems: true }),
    ),
    /** Driver catalog entries (ADR 0055) unpacked into the image. */
    driverIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: 64,
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false },
);
export type BuildBootImageRequest = Static<typeof BuildBootImageRequest>;

/**
 * Where boot images come from, declared once (ADR 0016 in spirit: one schema read by the API,
 * the CLI flags and the console form). No default mirror: a site names its own (a local mirror
 * or proxy); `file://` mirrors are accepted for sites that keep one on disk.
 */
export const BootImageSettings = Type.Object(
  {
    /** The Debian mirror URL (`http://mirror.example.org/debian`); empty: not set. */
    mirror: Type.String({ maxLength: 500, pattern: '^(|(https?|file)://[^\\s]+)$' }),
    /** The Debian suite boot images are built from. */
    suite: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9-]*$' }),
  },
  { additionalProperties: false },
);
export type BootImageSettings = Static<typeof BootImageSettings>;
export const BOOT_IMAGE_SETTINGS_DEFAULTS: BootImageSettings = { mirror: '', suite: 'bookworm' };
export const UpdateBootImageSettingsRequest = Type.Partial(BootImageSettings, {
  additionalProperties: false,
});
export type UpdateBootImageSettingsRequest = Static<typeof UpdateBootImageSettingsRequest>;

// ---- unknown and imported computers ----

/** `aa:bb:cc:dd:ee:ff`, any case, `-` or `:` (stored lower case with `:`). */
export const MacAddress = Type.String({ pattern: '^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$' });
export const SmbiosUuid = Type.String({
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
});
export const ComputerVariables = Type.Record(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
  Type.String({ maxLength: 4000 }),
);

export const Firmware = Type.Union([Type.Literal('bios'), Type.Literal('uefi')]);

export const UnknownComputer = Type.Object({
  id: Type.String(),
  smbiosUuid: Nullable(Type.String()),
  macs: Type.Array(Type.String()),
  arch: Type.String(),
  firmware: Firmware,
  /** The PCI/USB modaliases the boot environment read (driver matching, ADR 0055). */
  modaliases: Type.Array(Type.String()),
  bootImageId: Type.String(),
  address: Type.String(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
});
export type UnknownComputer = Static<typeof UnknownComputer>;

export const ImportedComputer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mac: Nullable(Type.String()),
  smbiosUuid: Nullable(Type.String()),
  variables: ComputerVariables,
  /** When a boot environment last matched it (null: never booted yet: not yet enrolled). */
  lastBootAt: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
});
export type ImportedComputer = Static<typeof ImportedComputer>;

export const ImportComputerRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$' }),
    mac: Type.Optional(MacAddress),
    smbiosUuid: Type.Optional(SmbiosUuid),
    variables: Type.Optional(ComputerVariables),
  },
  { additionalProperties: false },
);
export type ImportComputerRequest = Static<typeof ImportComputerRequest>;

/**
 * CSV: a header line naming `name` and `mac` and/or `smbiosUuid`; other columns are variables.
 * At most 400,000 characters (thousands of computers per upload): even written in 4-byte
 * characters the request stays inside the admin API's 2 MiB body limit, so an over-long CSV is
 * refused as too long (400), never cut off as a too-large body.
 */
export const ImportComputersCsvRequest = Type.Object(
  { csv: Type.String({ minLength: 1, maxLength: 400_000 }) },
  { additionalProperties: false },
);
export const ImportComputersCsvResult = Type.Object({
  imported: Type.Array(ImportedComputer),
});

// ---- the boot environment's calls (agent listener) ----

export const BootRegisterRequest = Type.Object(
  {
    /** The boot image's key (in its boot.json): names the image and bounds who may register. */
    bootKey: Type.String({ minLength: 16, maxLength: 200 }),
    smbiosUuid: Nullable(SmbiosUuid),
    macs: Type.Array(MacAddress, { minItems: 1, maxItems: 64 }),
    arch: Type.String({ minLength: 1, maxLength: 32 }),
    firmware: Firmware,
    modaliases: Type.Array(Type.String({ maxLength: 512 }), { maxItems: 2000 }),
  },
  { additionalProperties: false },
);
export type BootRegisterRequest = Static<typeof BootRegisterRequest>;

export const BootRegisterResponse = Type.Object({
  /** `imported`: an imported computer matched (by SMBIOS UUID or MAC); else `unknown`. */
  kind: Type.Union([Type.Literal('unknown'), Type.Literal('imported')]),
  /** The unknown computer's or the imported computer's id. */
  computerId: Type.String(),
  name: Nullable(Type.String()),
  matchedBy: Nullable(Type.Union([Type.Literal('smbiosUuid'), Type.Literal('mac')])),
  variables: ComputerVariables,
});
export type BootRegisterResponse = Static<typeof BootRegisterResponse>;

/**
 * A run started in the full OS that restarted into the boot image (ADR 0105): the enrolled
 * device it runs on, its deployment, and the resume token the site gave the device with it.
 */
export const BootResume = Type.Object(
  {
    deviceId: Type.String({ minLength: 1, maxLength: 200 }),
    deploymentId: Type.String({ minLength: 1, maxLength: 200 }),
    token: Type.String({ minLength: 1, maxLength: 8000 }),
  },
  { additionalProperties: false },
);
export type BootResume = Static<typeof BootResume>;

export const BootTaskSequenceRequest = Type.Object(
  {
    bootKey: Type.String({ minLength: 16, maxLength: 200 }),
    kind: Type.Union([Type.Literal('unknown'), Type.Literal('imported')]),
    computerId: Type.String({ minLength: 1, maxLength: 200 }),
    /** Present: the site answers with that deployment for that device (ADR 0105). */
    resume: Type.Optional(BootResume),
    /**
     * The key of the capture media the machine booted from (ADR 0107): the site answers with
     * those media's capture sequence and a capture-only token instead of what is deployed.
     */
    mediaKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' })),
  },
  { additionalProperties: false },
);
export type BootTaskSequenceRequest = Static<typeof BootTaskSequenceRequest>;

/**
 * Where the boot environment downloads one OS image the sequence names (ADR 0085): the image's
 * manifest (SHA-256 and size of every archive, checked after download), the DPs that hold its
 * content package, best first, and a content token those DPs accept for that package version.
 */
export const BootOsImageContent = Type.Object({
  imageId: Type.String(),
  packageVersionId: Type.String(),
  manifest: OsImageManifest,
  /** DP content URLs, best first (the boundary groups of the caller's address decide). */
  locations: Type.Array(ContentLocation),
  accessToken: Type.String(),
  accessTokenExpiresAt: Type.String(),
});
export type BootOsImageContent = Static<typeof BootOsImageContent>;

/**
 * The task sequence deployed to a booted computer (ADR 0085): the deployment the site chose
 * (required before available, as the PXE decision), the deployed version's steps with its
 * variables resolved (sequence defaults, then the deployment's collection, then the imported
 * computer's own), a single-use enrolment token when the sequence installs the agent, and the
 * content locations of the OS images it applies. `null`: nothing is deployed to it.
 */
export const BootTaskSequence = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  deploymentId: Type.String(),
  purpose: Type.Union([Type.Literal('required'), Type.Literal('available')]),
  sequence: RunnableSequence,
  /** Single use, for the install-agent step (null when the sequence has none). */
  enrolmentToken: Nullable(Type.String()),
  osImages: Type.Array(BootOsImageContent),
  /**
   * The run's capture token (null when the sequence has no enabled capture step): a bearer
   * token for `PUT /agent/v1/boot/captures/archive` and `POST /agent/v1/boot/captures`, valid
   * `OS_IMAGE_CAPTURE_TOKEN_SECONDS` (ADR 0094).
   */
  captureToken: Type.Optional(Nullable(Type.String())),
});
export type BootTaskSequence = Static<typeof BootTaskSequence>;

/**
 * An apply-drivers step's request for its driver packages (issue 11 gap 2): the boot image's key
 * and the computer its registration returned (as for the task sequence), `auto` with the
 * machine's modaliases (matched on the site against the enabled drivers' alias patterns, as
 * `ops.drivers.forDevice` does) or `chosen` with the step's driver ids.
 */
export const BootDriversRequest = Type.Object(
  {
    bootKey: Type.String({ minLength: 16, maxLength: 200 }),
    kind: Type.Union([Type.Literal('unknown'), Type.Literal('imported')]),
    computerId: Type.String({ minLength: 1, maxLength: 200 }),
    mode: Type.Union([Type.Literal('auto'), Type.Literal('chosen')]),
    driverIds: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
    modaliases: Type.Array(Type.String({ maxLength: 512 }), { maxItems: 2000 }),
  },
  { additionalProperties: false },
);
export type BootDriversRequest = Static<typeof BootDriversRequest>;

/** Where the boot environment downloads one driver's .deb (checked against its SHA-256). */
export const BootDriverContent = Type.Object({
  driverId: Type.String(),
  package: Type.String(),
  version: Type.String(),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.Integer({ minimum: 0 }),
  /** `auto`: the machine's modaliases this driver's aliases matched; `chosen`: empty. */
  matched: Type.Array(Type.String()),
  packageVersionId: Type.String(),
  /** DP content URLs, best first (empty: no DP holds the driver's package). */
  locations: Type.Array(ContentLocation),
  accessToken: Type.String(),
  accessTokenExpiresAt: Type.String(),
});
export type BootDriverContent = Static<typeof BootDriverContent>;

export const BootDriversResponse = Type.Object({
  drivers: Type.Array(BootDriverContent),
  /**
   * Chosen drivers the site will not serve, with why (not in the catalog, disabled, no content
   * package): the step fails naming them rather than applying a part of the choice.
   */
  refused: Type.Array(Type.Object({ driverId: Type.String(), reason: Type.String() })),
});
export type BootDriversResponse = Static<typeof BootDriversResponse>;

/** The site's name (in a content access token's `siteContent`) of the right to upload a capture. */
export const OS_IMAGE_CAPTURE_GRANT = 'os-image-capture';
/**
 * The site's name of the right to resume one deployment's run in the boot environment: the
 * grant is `task-sequence-resume:<deployment id>`, for `boot:<device id>` (ADR 0105).
 */
export const TASK_SEQUENCE_RESUME_GRANT = 'task-sequence-resume';
/** A resume token rides in the device's assignments: good for a week, as they are refreshed. */
export const TASK_SEQUENCE_RESUME_TOKEN_SECONDS = 7 * 24 * 3600;
/** How long a run's capture token is good for: a sequence may run for hours before it captures. */
export const OS_IMAGE_CAPTURE_TOKEN_SECONDS = 24 * 3600;
/** The largest archive one capture upload may stream (declared once: route and store both hold it). */
export const OS_IMAGE_CAPTURE_MAX_BYTES = 256 * 1024 ** 3;

/** A captured archive, as the site stored it (its SHA-256 computed while it streamed). */
export const CapturedArchive = Type.Object({
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.Integer({ minimum: 0 }),
});
export type CapturedArchive = Static<typeof CapturedArchive>;

/** Records a captured image from archives the same run uploaded (ADR 0094). */
export const RecordCaptureRequest = Type.Object(
  { manifest: OsImageManifest },
  { additionalProperties: false },
);
export type RecordCaptureRequest = Static<typeof RecordCaptureRequest>;

export const RecordCaptureResponse = Type.Object({
  imageId: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
});
export type RecordCaptureResponse = Static<typeof RecordCaptureResponse>;

export const BootTaskSequenceResponse = Type.Object({
  taskSequence: Nullable(BootTaskSequence),
});
export type BootTaskSequenceResponse = Static<typeof BootTaskSequenceResponse>;

export const BootStatusRequest = Type.Object(
  {
    bootKey: Type.String({ minLength: 16, maxLength: 200 }),
    computerId: Type.String({ minLength: 1, maxLength: 200 }),
    /**
     * A boot-environment status message (40700-40729, and 52655: how the apply step got an
     * archive, ADR 0106), one of the task-sequence engine's (40600-40629: step started,
     * succeeded, failed... as the engine raises them in the full OS, ADR 0070/0085), or one of a
     * run crossing environments (52650-52654, ADR 0105), and its insertion strings. The site
     * takes only the ids of those components' catalog entries.
     */
    messageId: Type.Integer({ minimum: 40600, maximum: 52699 }),
    insertionStrings: Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 }),
    /** The engine's attributes (sequenceId, sequenceVersion, stepId). */
    attributes: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }), {
        maxProperties: 16,
      }),
    ),
  },
  { additionalProperties: false },
);
export type BootStatusRequest = Static<typeof BootStatusRequest>;

/** The boot image's configuration file (/etc/steward/boot.json), written at build time. */
export const BootConfig = Type.Object({
  bootImageId: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  siteUrl: Type.String(),
  /** The site CA (PEM): the boot environment trusts it and nothing else. */
  caPem: Type.String(),
  bootKey: Type.String(),
});
export type BootConfig = Static<typeof BootConfig>;
