import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Id } from '../common/schemas.js';
import { ListDevicesQuery } from './schemas.js';

/**
 * Bulk selection and actions (issue 12, ADR 0031): one selection shape for every list that acts
 * on many rows, resolved on the site in one request.
 */

/** Explicit ids a selection may name (a few pages' worth); beyond that, select by filter. */
export const MAX_SELECTION_IDS = 1000;
/** The most devices one bulk action acts on (a filter matching more is refused). */
export const MAX_BULK_DEVICES = 100_000;
/** Example names given per failure reason. */
export const BULK_FAILURE_EXAMPLES = 5;

/**
 * A selection: explicit ids (the rows ticked), or a filter (the list's own query without
 * sorting and paging: "all matching this filter").
 */
export function Selection<F extends TSchema, I extends TSchema = typeof Id>(filter: F, id?: I) {
  return Type.Union([
    Type.Object(
      { ids: Type.Array(id ?? Id, { minItems: 1, maxItems: MAX_SELECTION_IDS }) },
      { additionalProperties: false },
    ),
    Type.Object({ filter }, { additionalProperties: false }),
  ]);
}

/** The device list's filter: `GET /devices` without sort and paging. */
export const DeviceFilter = Type.Pick(ListDevicesQuery, ['search', 'collection', 'status'], {
  additionalProperties: false,
});
export type DeviceFilter = Static<typeof DeviceFilter>;

export const DeviceSelection = Selection(DeviceFilter);
export type DeviceSelection = Static<typeof DeviceSelection>;

export const BulkDeviceAction = Type.Union([
  /** Direct members of a collection (a `direct` rule each). */
  Type.Literal('collection:add'),
  Type.Literal('collection:remove'),
  Type.Literal('inventory:collect'),
  Type.Literal('policy:fetch'),
  Type.Literal('deployments:evaluate'),
  Type.Literal('revoke'),
]);
export type BulkDeviceAction = Static<typeof BulkDeviceAction>;
export const BULK_DEVICE_ACTIONS: readonly BulkDeviceAction[] = [
  'collection:add',
  'collection:remove',
  'inventory:collect',
  'policy:fetch',
  'deployments:evaluate',
  'revoke',
];

export const BulkDeviceActionRequest = Type.Object(
  {
    selection: DeviceSelection,
    action: BulkDeviceAction,
    /** The collection of `collection:add` / `collection:remove` (id or name). */
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /**
     * The count the administrator confirmed. The site refuses (BULK_COUNT_CHANGED) when the
     * selection now resolves to a count differing from it by more than 5%.
     */
    expectedCount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BULK_DEVICES })),
  },
  { additionalProperties: false },
);
export type BulkDeviceActionRequest = Static<typeof BulkDeviceActionRequest>;

/** Why a device of a bulk action was not acted on. */
export const BulkFailureReason = Type.Union([
  /** Revoked devices take no nudges and join no collections. */
  Type.Literal('device-revoked'),
  /** Remove from a collection: the device is not a direct member (maybe a member by a query). */
  Type.Literal('not-direct-member'),
  /** An explicit id that names no device (or no discovered machine). */
  Type.Literal('not-found'),
  /** Push the agent: the discovered machine is an enrolled device already (it has an agent). */
  Type.Literal('has-agent'),
]);
export type BulkFailureReason = Static<typeof BulkFailureReason>;

export const BulkFailure = Type.Object({
  reason: BulkFailureReason,
  count: Type.Integer(),
  /** A few of the device names (ids when the device does not exist). */
  examples: Type.Array(Type.String()),
});
export type BulkFailure = Static<typeof BulkFailure>;

/** The counts every bulk action answers (devices, discovered machines). */
export const bulkSummaryFields = {
  /** How many the selection resolved to. */
  matched: Type.Integer(),
  /** Acted on. */
  done: Type.Integer(),
  /** Already so (already a member, already revoked): nothing to do. */
  unchanged: Type.Integer(),
  failed: Type.Integer(),
  failures: Type.Array(BulkFailure),
};

export const BulkActionResult = Type.Object({
  action: BulkDeviceAction,
  ...bulkSummaryFields,
  /** Nudges: how many of those done held a push connection (the rest get it when they connect). */
  connected: Type.Optional(Type.Integer()),
});
export type BulkActionResult = Static<typeof BulkActionResult>;

/** The permission each bulk action needs: the same as its single-device counterpart. */
export function bulkActionPermission(
  action: BulkDeviceAction,
): 'collections:write' | 'devices:act' | 'devices:write' {
  switch (action) {
    case 'collection:add':
    case 'collection:remove':
      return 'collections:write';
    case 'inventory:collect':
    case 'policy:fetch':
    case 'deployments:evaluate':
      return 'devices:act';
    case 'revoke':
      return 'devices:write';
  }
}

/** Whether the selection's count may still be acted on after the administrator confirmed `expected`. */
export function countStillConfirmed(expected: number, matched: number): boolean {
  return Math.abs(matched - expected) <= Math.floor(expected * 0.05);
}
