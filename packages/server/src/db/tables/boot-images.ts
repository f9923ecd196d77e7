import { integer, nullable, text, type TableOf } from './columns.js';

/** Boot images, unknown and imported computers (issue 11, ADR 0065). */
export const bootImagesTables = {
  boot_image: {
    id: text(),
    name: text(),
    arch: text(),
    version: integer(),
    /** building | ready | failed | interrupted */
    status: text(),
    progress: integer(),
    progress_text: text(),
    suite: text(),
    mirror: text(),
    /** JSON array of Debian package names. */
    extra_packages: text(),
    /** JSON array of driver ids. */
    driver_ids: text(),
    site_url: text(),
    boot_key_sha256: text(),
    package_id: nullable(text()),
    /** JSON array of { name, sha256, size }. */
    files: text(),
    root_key: text(),
    created_at: text(),
    created_by: text(),
    built_at: nullable(text()),
    /** Written while the build runs (ADR 0079): a `building` row gone silent is interrupted. */
    heartbeat_at: nullable(text()),
  },
  imported_computer: {
    id: text(),
    name: text(),
    mac: nullable(text()),
    smbios_uuid: nullable(text()),
    /** JSON object of task-sequence variables. */
    variables: text(),
    last_boot_at: nullable(text()),
    created_at: text(),
    created_by: text(),
  },
  unknown_computer: {
    id: text(),
    /** The SMBIOS UUID when the firmware has a usable one, else `mac:<first MAC>`. */
    identity: text(),
    smbios_uuid: nullable(text()),
    /** JSON arrays. */
    macs: text(),
    arch: text(),
    firmware: text(),
    modaliases: text(),
    boot_image_id: text(),
    address: text(),
    first_seen: text(),
    last_seen: text(),
  },
} as const;

export interface BootImagesTables {
  boot_image: TableOf<typeof bootImagesTables.boot_image>;
  imported_computer: TableOf<typeof bootImagesTables.imported_computer>;
  unknown_computer: TableOf<typeof bootImagesTables.unknown_computer>;
}
