import { PackagePriority } from '@steward/protocol';
import { bigint, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The content domain's tables (see columns.ts for the conventions). */
export const contentTables = {
  content_file: {
    sha256: text(),
    size: bigint(),
    created_at: text(),
  },
  software_package: {
    id: text(),
    name: text(),
    publisher: text(),
    version: text(),
    description: text(),
    priority: oneOf(PackagePriority),
    current_version_id: nullable(text()),
    created_at: text(),
    updated_at: text(),
  },
  package_version: {
    id: text(),
    package_id: text(),
    number: integer(),
    created_at: text(),
    created_by: text(),
    file_count: integer(),
    size_bytes: bigint(),
    source: text(),
  },
  package_version_file: {
    version_id: text(),
    path: text(),
    sha256: text(),
    size: bigint(),
    mode: integer(),
  },
} as const;

export interface ContentTables {
  content_file: ContentFileTable;
  software_package: SoftwarePackageTable;
  package_version: PackageVersionTable;
  package_version_file: PackageVersionFileTable;
}
export type ContentFileTable = TableOf<typeof contentTables.content_file>;
export type SoftwarePackageTable = TableOf<typeof contentTables.software_package>;
export type PackageVersionTable = TableOf<typeof contentTables.package_version>;
export type PackageVersionFileTable = TableOf<typeof contentTables.package_version_file>;
