import { type Static, Type } from '@sinclair/typebox';
import { Name, Nullable } from '../common/schemas.js';

/**
 * Task-sequence media (issue 11, ADR 0089, ADR 0097): an image the site builds, which boots BIOS
 * and UEFI machines into a boot image.
 * - `bootable`: an ISO with the boot image and the site's address; the boot environment then
 *   works over the network as after a PXE boot.
 * - `standalone`: an ISO that also holds one task sequence and all the content it references
 *   (OS images, driver packages, programs' packages, the agent kit): it runs with no network.
 * - `prestaged`: a raw disk image (written to the disk at the factory) holding one OS image
 *   already applied and the boot environment; on first boot it contacts the site and finishes.
 * - `capture`: an ISO whose only sequence captures the machine it boots, to the site.
 */
export const MEDIA_KINDS = ['bootable', 'standalone', 'prestaged', 'capture'] as const;
export const MediaKind = Type.Union(MEDIA_KINDS.map((k) => Type.Literal(k)));
export type MediaKind = (typeof MEDIA_KINDS)[number];

export const MEDIA_STATUSES = ['building', 'ready', 'failed', 'interrupted'] as const;
export const MediaStatus = Type.Union(MEDIA_STATUSES.map((s) => Type.Literal(s)));
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

/** A media name: also the base of the downloaded file's name. */
export const MediaName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
});

/** Extra kernel arguments: printable, no quotes (they go on a GRUB `linux` line). */
export const MediaKernelArgs = Type.String({
  maxLength: 512,
  pattern: '^[\\x20-\\x21\\x23-\\x26\\x28-\\x7e]*$',
});

/** The address the boot environment contacts: an https URL with a host, no credentials. */
export const MediaSiteUrl = Type.String({
  minLength: 9,
  maxLength: 300,
  pattern: '^https://[A-Za-z0-9.\\-\\[\\]:]+(:[0-9]{1,5})?/?$',
});

/** A media password: 8 to 128 printable characters. */
export const MediaPassword = Type.String({
  minLength: 8,
  maxLength: 128,
  pattern: '^[\\x20-\\x7e]+$',
});

/**
 * How a media password is stored on the media (never the password): scrypt with these costs over
 * a random salt, base64. The boot environment derives the same key from what is typed and
 * compares in constant time.
 */
const base64Field = () => Type.String({ minLength: 16, maxLength: 200 });
/** scrypt's costs and salt, as the password hash and the sealed capture key both keep them. */
const scryptFields = {
  N: Type.Integer({ minimum: 1024, maximum: 1048576 }),
  r: Type.Integer({ minimum: 1, maximum: 32 }),
  p: Type.Integer({ minimum: 1, maximum: 16 }),
  salt: base64Field(),
};
export const MediaPasswordHash = Type.Object(
  { scheme: Type.Literal('scrypt'), ...scryptFields, hash: base64Field() },
  { additionalProperties: false },
);
export type MediaPasswordHash = Static<typeof MediaPasswordHash>;

/** The scrypt costs of new media passwords (16 MiB of memory, well under a second). */
export const MEDIA_PASSWORD_SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** One file of library content on media: its path under the media's content folder. */
export const MediaContentFile = Type.Object(
  {
    path: Type.String({ maxLength: 400 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    size: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type MediaContentFile = Static<typeof MediaContentFile>;

/** Where media keep their files: `steward/` on the ISO or on the prestaged disk's ESP. */
export const MEDIA_DIR = 'steward';
/** The media's manifest in MEDIA_DIR. */
export const MEDIA_MANIFEST_FILE = 'media.json';
/** The task sequence standalone and capture media run, in MEDIA_DIR. */
export const MEDIA_SEQUENCE_FILE = 'sequence.json';
/** The content folder of standalone media in MEDIA_DIR (the layout `--media` reads, ADR 0077). */
export const MEDIA_CONTENT_DIR = 'content';

/**
 * The capture key of capture media (ADR 0107), in MEDIA_DIR: the boot environment sends it
 * with its request for a sequence and the site answers with the media's capture sequence and a
 * capture-only token. Sealed with the media password when the media have one.
 */
export const MEDIA_CAPTURE_KEY_FILE = 'capture-key.json';
/** How long a capture key works after the media were made (30 days; deleting them ends it). */
export const MEDIA_CAPTURE_KEY_DAYS = 30;
/** A capture key: 32 random bytes, base64url. */
export const MediaCaptureKey = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });

/** The key sealed with the media password: scrypt (the password hash's costs) then AES-256-GCM. */
export const SealedMediaKey = Type.Object(
  {
    scheme: Type.Literal('scrypt-aes-256-gcm'),
    ...scryptFields,
    iv: base64Field(),
    tag: base64Field(),
    data: base64Field(),
  },
  { additionalProperties: false },
);
export type SealedMediaKey = Static<typeof SealedMediaKey>;

/** `capture-key.json`: the key in clear (media without a password) or sealed with it. */
export const MediaCaptureKeyFile = Type.Object(
  {
    format: Type.Literal(1),
    key: Type.Optional(MediaCaptureKey),
    sealed: Type.Optional(SealedMediaKey),
    expiresAt: Type.String(),
  },
  { additionalProperties: false },
);
export type MediaCaptureKeyFile = Static<typeof MediaCaptureKeyFile>;

/**
 * On the root file system of a prestaged disk (ADR 0107): which OS image is already applied
 * there. The partition step keeps such a disk and the apply step of the same image reuses it
 * (removing this file), so the first boot finishes over the network without applying again.
 */
export const PRESTAGED_MARKER_FILE = '.steward-prestaged.json';
/** The file-system label of a prestaged disk's root (the partition step looks for it). */
export const PRESTAGED_ROOT_LABEL = 'steward-root';
export const PrestagedMarker = Type.Object({
  format: Type.Literal(1),
  media: Type.String(),
  osImage: Type.Object({ id: Type.String(), name: Type.String(), version: Type.Integer() }),
  createdAt: Type.String(),
});
export type PrestagedMarker = Static<typeof PrestagedMarker>;

/**
 * `steward/media.json` on every media: what they are (for people and for the boot
 * environment), the password hash when one was set, and for standalone media every content
 * file with its SHA-256 (checked against the library by the tests, by the boot environment
 * before use).
 */
export const MediaManifest = Type.Object({
  format: Type.Literal(1),
  name: Type.String(),
  kind: MediaKind,
  bootImage: Type.Object({ name: Type.String(), version: Type.Integer() }),
  siteUrl: Type.String(),
  createdAt: Type.String(),
  password: Type.Optional(MediaPasswordHash),
  taskSequence: Type.Optional(
    Type.Object({ id: Type.String(), name: Type.String(), version: Type.Integer() }),
  ),
  osImage: Type.Optional(
    Type.Object({ id: Type.String(), name: Type.String(), version: Type.Integer() }),
  ),
  content: Type.Optional(Type.Array(MediaContentFile)),
});
export type MediaManifest = Static<typeof MediaManifest>;

export const Media = Type.Object({
  id: Type.String(),
  name: MediaName,
  kind: MediaKind,
  status: MediaStatus,
  /** 0-100, and what the build is doing (or why it failed). */
  progress: Type.Integer(),
  progressText: Type.String(),
  bootImageId: Type.String(),
  /** The boot image as `name` version `n` (kept when the image is deleted later). */
  bootImageName: Type.String(),
  bootImageVersion: Type.Integer(),
  /** The site URL the boot environment contacts. */
  siteUrl: Type.String(),
  /** The whole kernel command line of the media's boot entry. */
  kernelArgs: Type.String(),
  /** Standalone media: the task sequence on them (copied by name and version). */
  taskSequenceId: Nullable(Type.String()),
  taskSequenceName: Nullable(Type.String()),
  taskSequenceVersion: Nullable(Type.Integer()),
  /** Prestaged media: the OS image applied on them. */
  osImageId: Nullable(Type.String()),
  osImageName: Nullable(Type.String()),
  osImageVersion: Nullable(Type.Integer()),
  /** Capture media: the name the captured image is recorded under. */
  captureImageName: Nullable(Type.String()),
  /** Capture media: when their capture key stops working (deleting the media ends it at once). */
  captureKeyExpiresAt: Nullable(Type.String()),
  /** The boot environment asks for a password before it runs anything from the media. */
  passwordProtected: Type.Boolean(),
  /** Bytes of library content the media carry (standalone, prestaged); null for the others. */
  contentBytes: Nullable(Type.Integer()),
  /** The image file once built: an ISO, or for prestaged media a raw disk image. */
  size: Nullable(Type.Integer()),
  sha256: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  builtAt: Nullable(Type.String()),
});
export type Media = Static<typeof Media>;

export const CreateMediaRequest = Type.Object(
  {
    name: MediaName,
    kind: MediaKind,
    /** A boot image id, or a name for its newest ready version. */
    bootImage: Type.String({ minLength: 1, maxLength: 200 }),
    /** Default: the site URL the boot image was built for. */
    siteUrl: Type.Optional(MediaSiteUrl),
    /** Added after the boot image's own kernel arguments. */
    kernelArgs: Type.Optional(MediaKernelArgs),
    /** Standalone media (required there, refused elsewhere): a task sequence id or name. */
    taskSequence: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Prestaged media (required there, refused elsewhere): an OS image id. */
    osImage: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Capture media: the captured image's name (default: `Captured`). */
    captureImageName: Type.Optional(Name),
    /**
     * Asked by the boot environment before it runs anything from the media. Only an scrypt
     * hash of it goes on the media (`MediaPasswordHash`); the site keeps neither.
     */
    password: Type.Optional(MediaPassword),
  },
  { additionalProperties: false },
);
export type CreateMediaRequest = Static<typeof CreateMediaRequest>;

/** The image file's name: prestaged media are a raw disk image (`.img`), the others an ISO. */
export function mediaFileName(m: { name: string; kind: MediaKind }): string {
  return `${m.name}.${m.kind === 'prestaged' ? 'img' : 'iso'}`;
}
