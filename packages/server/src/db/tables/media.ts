import { MediaKind, MediaStatus } from '@steward/protocol';
import { bigint, defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** Task-sequence media (issue 11, ADR 0089). */
export const mediaTables = {
  media: {
    id: text(),
    name: text(),
    kind: oneOf(MediaKind),
    /** `interrupted` is never stored: a `building` row whose heartbeat went silent reads so. */
    status: oneOf(MediaStatus),
    progress: integer(),
    progress_text: text(),
    boot_image_id: text(),
    boot_image_name: text(),
    boot_image_version: integer(),
    site_url: text(),
    kernel_args: text(),
    task_sequence_id: nullable(text()),
    task_sequence_name: nullable(text()),
    task_sequence_version: nullable(integer()),
    os_image_id: nullable(text()),
    os_image_name: nullable(text()),
    os_image_version: nullable(integer()),
    capture_image_name: nullable(text()),
    /** Capture media: SHA-256 (hex) of their capture key, and when it stops working (ADR 0107). */
    capture_key_sha256: nullable(text()),
    capture_key_expires_at: nullable(text()),
    /** 0/1: the media ask for a password (its hash is on the media only). */
    password_protected: defaulted(integer()),
    content_bytes: nullable(bigint()),
    size: nullable(bigint()),
    /** The ISO in the content library (null until built). */
    sha256: nullable(text()),
    created_at: text(),
    created_by: text(),
    built_at: nullable(text()),
    /** Written while the build runs: a `building` row gone silent was cut off by a restart. */
    heartbeat_at: text(),
  },
} as const;

export interface MediaTables {
  media: TableOf<typeof mediaTables.media>;
}
