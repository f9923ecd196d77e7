import type { ColumnType } from 'kysely';

export interface DistributionPointTable {
  id: string;
  name: string;
  description: string;
  url: string | null;
  is_site_server: number;
  protected: number;
  registration_hash: string | null;
  registration_expires_at: string | null;
  key_hash: string | null;
  registered_at: string | null;
  last_seen_at: string | null;
  version: string | null;
  stored_bytes: ColumnType<number | string, number | undefined, number>;
  created_at: string;
}

export interface DpGroupTable {
  id: string;
  name: string;
  description: string;
  created_at: string;
}

export interface DpGroupMemberTable {
  group_id: string;
  dp_id: string;
  added_at: string;
}

export interface DpGroupPackageTable {
  group_id: string;
  package_id: string;
}

export interface DpPackageTable {
  dp_id: string;
  package_id: string;
  installed_version_id: string | null;
  version_id: string;
  state: string;
  bytes_done: ColumnType<number | string, number | undefined, number>;
  bytes_total: ColumnType<number | string, number | undefined, number>;
  message: string | null;
  updated_at: string;
  validate_requested_at: string | null;
  validated_at: string | null;
}

export interface BoundaryTable {
  id: string;
  name: string;
  type: string;
  value: string;
  start_key: string;
  end_key: string;
  created_at: string;
}

export interface BoundaryGroupTable {
  id: string;
  name: string;
  description: string;
  site_code: string;
  slow: number;
  created_at: string;
}

export interface BoundaryGroupBoundaryTable {
  group_id: string;
  boundary_id: string;
}

export interface BoundaryGroupDpTable {
  group_id: string;
  dp_id: string;
}

export interface BoundaryGroupNeighbourTable {
  group_id: string;
  neighbour_id: string;
  fallback_after_minutes: number;
}

/** The distribution domain's tables. */
export interface DistributionTables {
  distribution_point: DistributionPointTable;
  dp_group: DpGroupTable;
  dp_group_member: DpGroupMemberTable;
  dp_group_package: DpGroupPackageTable;
  dp_package: DpPackageTable;
  boundary: BoundaryTable;
  boundary_group: BoundaryGroupTable;
  boundary_group_boundary: BoundaryGroupBoundaryTable;
  boundary_group_dp: BoundaryGroupDpTable;
  boundary_group_neighbour: BoundaryGroupNeighbourTable;
}
