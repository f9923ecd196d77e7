import { Type } from '@sinclair/typebox';
import { OsImageBuildArch, OsImageBuildStatus } from '@steward/protocol';
import { bigint, integer, nullable, oneOf, text, type TableOf } from './columns.js';

const OsImageSource = Type.Union([Type.Literal('capture'), Type.Literal('debootstrap')]);

/** OS images as site content (issue 11, ADR 0085). */
export const osImagesTables = {
  os_image: {
    id: text(),
    name: text(),
    version: integer(),
    source: oneOf(OsImageSource),
    /** From the image's /etc/os-release (ID, VERSION_ID, PRETTY_NAME) and its architecture. */
    os_id: text(),
    os_version_id: text(),
    os_pretty_name: text(),
    arch: text(),
    /** The image's os-image.json (OsImageManifest), whole. */
    manifest: text(),
    archive_bytes: bigint(),
    used_bytes: bigint(),
    /** The content-library package and version holding manifest and archives (null: deleted). */
    package_id: nullable(text()),
    package_version_id: nullable(text()),
    created_at: text(),
    created_by: text(),
  },
  /** Default OS images built by the site (ADR 0093): one row per build. */
  os_image_build: {
    id: text(),
    name: text(),
    release: text(),
    arch: oneOf(OsImageBuildArch),
    mirror: text(),
    /** `interrupted` is never stored: a `building` row whose heartbeat went silent reads so. */
    status: oneOf(OsImageBuildStatus),
    progress: integer(),
    progress_text: text(),
    /** 1: the debootstrap result came from the server's cache. */
    from_cache: integer(),
    os_image_id: nullable(text()),
    os_image_version: nullable(integer()),
    created_at: text(),
    created_by: text(),
    finished_at: nullable(text()),
    /** Written while the build runs: a `building` row gone silent was cut off by a restart. */
    heartbeat_at: text(),
  },
} as const;

export interface OsImagesTables {
  os_image: TableOf<typeof osImagesTables.os_image>;
  os_image_build: TableOf<typeof osImagesTables.os_image_build>;
}
