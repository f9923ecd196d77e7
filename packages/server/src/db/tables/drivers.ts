import { bigint, integer, nullable, text, type TableOf } from './columns.js';

/** The driver catalog's tables (issue 11, ADR 0055). */
export const driverTables = {
  driver: {
    id: text(),
    package: text(),
    version: text(),
    architecture: text(),
    description: text(),
    /** JSON array of category labels: shown and filtered whole. */
    categories: text(),
    enabled: integer(),
    sha256: text(),
    size: bigint(),
    /** JSON array of firmware paths the package installs. */
    firmware_files: text(),
    imported_at: text(),
    imported_by: text(),
    /** The driver's one-file content package (DPs serve it to boot environments); null before. */
    package_id: nullable(text()),
    package_version_id: nullable(text()),
  },
  driver_module: {
    driver_id: text(),
    path: text(),
    name: text(),
    kernel_release: nullable(text()),
    version: nullable(text()),
    description: nullable(text()),
    license: nullable(text()),
    /** JSON array of the firmware files the module asks for. */
    firmware: text(),
  },
  driver_alias: {
    driver_id: text(),
    module: text(),
    alias: text(),
  },
} as const;

export interface DriverTables {
  driver: TableOf<typeof driverTables.driver>;
  driver_module: TableOf<typeof driverTables.driver_module>;
  driver_alias: TableOf<typeof driverTables.driver_alias>;
}
