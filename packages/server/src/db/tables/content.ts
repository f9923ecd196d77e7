import type { Big } from './columns.js';

export interface ContentFileTable {
  sha256: string;
  size: Big;
  created_at: string;
}

export interface SoftwarePackageTable {
  id: string;
  name: string;
  publisher: string;
  version: string;
  description: string;
  priority: string;
  current_version_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PackageVersionTable {
  id: string;
  package_id: string;
  number: number;
  created_at: string;
  created_by: string;
  file_count: number;
  size_bytes: Big;
  source: string;
}

export interface PackageVersionFileTable {
  version_id: string;
  path: string;
  sha256: string;
  size: Big;
  mode: number;
}

/** The content domain's tables. */
export interface ContentTables {
  content_file: ContentFileTable;
  software_package: SoftwarePackageTable;
  package_version: PackageVersionTable;
  package_version_file: PackageVersionFileTable;
}
