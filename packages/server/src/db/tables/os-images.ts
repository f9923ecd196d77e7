import { Type } from '@sinclair/typebox';
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
} as const;

export interface OsImagesTables {
  os_image: TableOf<typeof osImagesTables.os_image>;
}
