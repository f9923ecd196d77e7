import { type Static, Type } from '@sinclair/typebox';
import { MAX_BULK_DEVICES, Selection, bulkSummaryFields } from '../devices/bulk.js';
import { ListDiscoveredQuery } from './schemas.js';

/**
 * Bulk actions on discovered machines (issue 12, ADR 0031 extended by ADR 0040): the same
 * selection shape as the device list (addresses ticked, or the list's own filter resolved on the
 * site), the same confirmation count, summary and single audit entry.
 */

/** A discovered machine is named by its IPv4 address (its key). */
export const MachineAddress = Type.String({ minLength: 7, maxLength: 15, pattern: '^[0-9.]+$' });

/** The discovered-machines list's filter: `GET /discovery/machines` without paging. */
export const DiscoveredFilter = Type.Pick(ListDiscoveredQuery, ['search', 'hasAgent'], {
  additionalProperties: false,
});
export type DiscoveredFilter = Static<typeof DiscoveredFilter>;

export const DiscoveredSelection = Selection(DiscoveredFilter, MachineAddress);
export type DiscoveredSelection = Static<typeof DiscoveredSelection>;

export const BulkDiscoveredAction = Type.Union([
  /** Client push of the agent over SSH (a push job, as `POST /client-push/jobs`). */
  Type.Literal('push'),
  /** Discovered members of a collection, by address (ADR 0030). */
  Type.Literal('collection:add'),
  /** Forget the discovered record (a later sweep finds the machine again if it still answers). */
  Type.Literal('forget'),
]);
export type BulkDiscoveredAction = Static<typeof BulkDiscoveredAction>;
export const BULK_DISCOVERED_ACTIONS: readonly BulkDiscoveredAction[] = [
  'push',
  'collection:add',
  'forget',
];

export const BulkDiscoveredActionRequest = Type.Object(
  {
    selection: DiscoveredSelection,
    action: BulkDiscoveredAction,
    /** The collection of `collection:add` (id or name). */
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** The push account of `push` (id or name). */
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** The count the administrator confirmed (BULK_COUNT_CHANGED beyond 5% off, as devices). */
    expectedCount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BULK_DEVICES })),
  },
  { additionalProperties: false },
);
export type BulkDiscoveredActionRequest = Static<typeof BulkDiscoveredActionRequest>;

export const BulkDiscoveredResult = Type.Object({
  action: BulkDiscoveredAction,
  ...bulkSummaryFields,
  /** `push`: the push job started (its progress is on Monitoring > Client push). */
  pushJobId: Type.Optional(Type.String()),
});
export type BulkDiscoveredResult = Static<typeof BulkDiscoveredResult>;

/** The permission each action needs: that of its single counterpart. */
export function bulkDiscoveredPermission(
  action: BulkDiscoveredAction,
): 'enrolment:write' | 'collections:write' | 'devices:write' {
  switch (action) {
    case 'push':
      return 'enrolment:write';
    case 'collection:add':
      return 'collections:write';
    case 'forget':
      return 'devices:write';
  }
}
