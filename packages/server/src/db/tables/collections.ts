import type { Json, AutoId } from './columns.js';

export interface CollectionTable {
  id: string;
  name: string;
  description: string;
  builtin: number;
  limiting_collection_id: string | null;
  rules: Json;
  evaluation_interval_minutes: number;
  member_count: number;
  last_evaluated_at: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface CollectionMemberTable {
  collection_id: string;
  device_id: string;
  since: string;
}

export interface CollectionMembershipChangeTable {
  id: AutoId;
  collection_id: string;
  device_id: string;
  change: string;
  at: string;
  revision: number;
}

export interface CollectionRevisionTable {
  collection_id: string;
  revision: number;
  at: string;
  by: string;
  definition: Json;
}

/** The collections domain's tables. */
export interface CollectionsTables {
  collection: CollectionTable;
  collection_member: CollectionMemberTable;
  collection_membership_change: CollectionMembershipChangeTable;
  collection_revision: CollectionRevisionTable;
}
