import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';

/**
 * Task-sequence media (issue 11, ADR 0089): an ISO image the site builds, which boots BIOS and
 * UEFI machines (from a CD or, written with dd, a USB stick) into a boot image. `bootable`
 * media carry the boot image and the site's address; the boot environment then works over the
 * network as after a PXE boot.
 */
export const MEDIA_KINDS = ['bootable'] as const;
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
  /** The ISO file once built. */
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
  },
  { additionalProperties: false },
);
export type CreateMediaRequest = Static<typeof CreateMediaRequest>;
