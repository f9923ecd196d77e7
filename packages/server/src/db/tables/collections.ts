import { MembershipChange } from '@steward/protocol';
import {
  autoId,
  defaulted,
  integer,
  json,
  nullable,
  oneOf,
  text,
  type TableOf,
} from './columns.js';

/** The collections domain's tables (see columns.ts for the conventions). */
export const collectionsTables = {
  collection: {
    id: text(),
    name: text(),
    description: text(),
    builtin: defaulted(integer()),
    limiting_collection_id: nullable(text()),
    rules: json(),
    evaluation_interval_minutes: integer(),
    member_count: defaulted(integer()),
    last_evaluated_at: nullable(text()),
    revision: integer(),
    created_at: text(),
    updated_at: text(),
  },
  collection_member: {
    collection_id: text(),
    device_id: text(),
    since: text(),
  },
  collection_membership_change: {
    id: autoId(),
    collection_id: text(),
    device_id: text(),
    change: oneOf(MembershipChange.properties.change),
    at: text(),
    revision: integer(),
  },
  collection_revision: {
    collection_id: text(),
    revision: integer(),
    at: text(),
    by: text(),
    definition: json(),
  },
} as const;

export interface CollectionsTables {
  collection: CollectionTable;
  collection_member: CollectionMemberTable;
  collection_membership_change: CollectionMembershipChangeTable;
  collection_revision: CollectionRevisionTable;
}
export type CollectionTable = TableOf<typeof collectionsTables.collection>;
export type CollectionMemberTable = TableOf<typeof collectionsTables.collection_member>;
export type CollectionMembershipChangeTable = TableOf<
  typeof collectionsTables.collection_membership_change
>;
export type CollectionRevisionTable = TableOf<typeof collectionsTables.collection_revision>;
