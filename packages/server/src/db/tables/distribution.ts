import { BoundaryType, ContentState } from '@steward/protocol';
import { bigint, defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The distribution domain's tables (see columns.ts for the conventions). */
export const distributionTables = {
  distribution_point: {
    id: text(),
    name: text(),
    description: text(),
    url: nullable(text()),
    is_site_server: defaulted(integer()),
    protected: defaulted(integer()),
    registration_hash: nullable(text()),
    registration_expires_at: nullable(text()),
    key_hash: nullable(text()),
    registered_at: nullable(text()),
    last_seen_at: nullable(text()),
    version: nullable(text()),
    stored_bytes: defaulted(bigint()),
    created_at: text(),
  },
  dp_group: {
    id: text(),
    name: text(),
    description: text(),
    created_at: text(),
  },
  dp_group_member: {
    group_id: text(),
    dp_id: text(),
    added_at: text(),
  },
  dp_group_package: {
    group_id: text(),
    package_id: text(),
  },
  dp_package: {
    dp_id: text(),
    package_id: text(),
    installed_version_id: nullable(text()),
    version_id: text(),
    state: oneOf(ContentState),
    bytes_done: defaulted(bigint()),
    bytes_total: defaulted(bigint()),
    message: nullable(text()),
    updated_at: text(),
    validate_requested_at: nullable(text()),
    validated_at: nullable(text()),
  },
  boundary: {
    id: text(),
    name: text(),
    type: oneOf(BoundaryType),
    value: text(),
    start_key: text(),
    end_key: text(),
    created_at: text(),
  },
  boundary_group: {
    id: text(),
    name: text(),
    description: text(),
    site_code: text(),
    slow: defaulted(integer()),
    created_at: text(),
  },
  boundary_group_boundary: {
    group_id: text(),
    boundary_id: text(),
  },
  boundary_group_dp: {
    group_id: text(),
    dp_id: text(),
  },
  boundary_group_neighbour: {
    group_id: text(),
    neighbour_id: text(),
    fallback_after_minutes: integer(),
  },
} as const;

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
export type DistributionPointTable = TableOf<typeof distributionTables.distribution_point>;
export type DpGroupTable = TableOf<typeof distributionTables.dp_group>;
export type DpGroupMemberTable = TableOf<typeof distributionTables.dp_group_member>;
export type DpGroupPackageTable = TableOf<typeof distributionTables.dp_group_package>;
export type DpPackageTable = TableOf<typeof distributionTables.dp_package>;
export type BoundaryTable = TableOf<typeof distributionTables.boundary>;
export type BoundaryGroupTable = TableOf<typeof distributionTables.boundary_group>;
export type BoundaryGroupBoundaryTable = TableOf<typeof distributionTables.boundary_group_boundary>;
export type BoundaryGroupDpTable = TableOf<typeof distributionTables.boundary_group_dp>;
export type BoundaryGroupNeighbourTable = TableOf<
  typeof distributionTables.boundary_group_neighbour
>;
