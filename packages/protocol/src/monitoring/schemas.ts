import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';

/**
 * What the site's activity check on a quiet device found (ADR 0029): its push channel answered
 * a ping (contact: the device stays active), or, with no push channel, the probe reached the
 * machine's last known address (up, but the agent is silent) or reached nothing.
 */
export const ActivityCheckOutcome = Type.Union([
  Type.Literal('ping-answered'),
  Type.Literal('probe-answered'),
  Type.Literal('no-answer'),
]);
export type ActivityCheckOutcome = Static<typeof ActivityCheckOutcome>;

/** The five signals that keep a device active, each with its own threshold. */
export const ActivitySignal = Type.Union([
  Type.Literal('policyRequest'),
  Type.Literal('heartbeat'),
  Type.Literal('hardwareInventory'),
  Type.Literal('softwareInventory'),
  Type.Literal('statusMessage'),
]);
export type ActivitySignal = Static<typeof ActivitySignal>;

/** A collection scope (id or name; none: All Systems). */
export const CollectionScopeQuery = Type.Object(
  { collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) },
  { additionalProperties: false },
);
export type CollectionScopeQuery = Static<typeof CollectionScopeQuery>;

/** What one run of the activity check did (scheduled hourly, or on demand). */
export const ActivityCheckRun = Type.Object({
  at: Type.String(),
  /** Quiet devices checked: none of the five signals within (nearly) its threshold. */
  checked: Type.Integer(),
  pingAnswered: Type.Integer(),
  probeAnswered: Type.Integer(),
  noAnswer: Type.Integer(),
  /** Devices marked obsolete by this run. */
  markedObsolete: Type.Integer(),
  /** Obsolete devices that reported again and lost the mark. */
  noLongerObsolete: Type.Integer(),
  /** Obsolete devices deleted (only with the site setting "Remove obsolete devices"). */
  removed: Type.Integer(),
});
export type ActivityCheckRun = Static<typeof ActivityCheckRun>;

/** Report "inactive clients": one device with when each signal was last seen. */
export const InactiveClientRow = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  lastPolicyRequestAt: Nullable(Type.String()),
  lastHeartbeatAt: Nullable(Type.String()),
  lastHardwareInventoryAt: Nullable(Type.String()),
  lastSoftwareInventoryAt: Nullable(Type.String()),
  lastStatusAt: Nullable(Type.String()),
  /** The most recent of the five (null: never). */
  lastSignalAt: Nullable(Type.String()),
  activityCheckedAt: Nullable(Type.String()),
  activityCheckOutcome: Nullable(ActivityCheckOutcome),
  activityCheckDetail: Nullable(Type.String()),
  obsoleteAt: Nullable(Type.String()),
});
export type InactiveClientRow = Static<typeof InactiveClientRow>;

/** Report "inventory not run within its schedule": one device and its resultant interval. */
export const InventoryOverdueRow = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  lastHardwareInventoryAt: Nullable(Type.String()),
  /** The device's resultant inventory interval (client settings per collection). */
  inventoryIntervalSeconds: Type.Integer(),
  /** Where that interval came from: "Site default" or the client settings object's name. */
  intervalSource: Type.String(),
  /** When the inventory was due, grace included (null: never ran, due since enrolment). */
  dueAt: Type.String(),
  overdueSeconds: Type.Integer(),
});
export type InventoryOverdueRow = Static<typeof InventoryOverdueRow>;
