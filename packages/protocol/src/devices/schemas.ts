import { type Static, Type } from '@sinclair/typebox';
import { NudgeAction } from '../agent/protocol.js';
import { Id, Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';
import { InventoryInstance } from '../inventory/schemas.js';
import { ActivityCheckOutcome } from '../monitoring/schemas.js';
import { DeviceColumnValue, DeviceListSort } from './columns.js';

export * from './columns.js';

// ---- devices ----

export const DeviceSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  osFamily: Nullable(Type.String()),
  osName: Nullable(Type.String()),
  osVersion: Nullable(Type.String()),
  machineType: Nullable(Type.String()),
  cpuModel: Nullable(Type.String()),
  memoryTotalMb: Nullable(Type.Number()),
  ipAddresses: Type.Array(Type.String()),
  lastLoggedOnUser: Nullable(Type.String()),
  agentVersion: Nullable(Type.String()),
  enrolledAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  lastPolicyRequestAt: Nullable(Type.String()),
  lastHeartbeatAt: Nullable(Type.String()),
  lastInventoryAt: Nullable(Type.String()),
  lastStatusAt: Nullable(Type.String()),
  lastHardwareInventoryAt: Nullable(Type.String()),
  lastSoftwareInventoryAt: Nullable(Type.String()),
  lastContactAt: Nullable(Type.String()),
  /**
   * One of the five signals (policy request, heartbeat, hardware inventory, software inventory,
   * status message) arrived within its threshold, or the device answered the site's push-channel
   * ping; never while obsolete (ADR 0029).
   */
  active: Type.Boolean(),
  /** Marked obsolete: no heartbeat for the site's obsolete threshold (90 days by default). */
  obsolete: Type.Boolean(),
  obsoleteAt: Nullable(Type.String()),
  /** The site's last activity check on this device (ping, then probe) and what it found. */
  activityCheckedAt: Nullable(Type.String()),
  activityCheckOutcome: Nullable(ActivityCheckOutcome),
  activityCheckDetail: Nullable(Type.String()),
  /** Holds a push connection right now. */
  online: Type.Boolean(),
  packageCount: Type.Integer(),
  /** The inventory-backed columns asked for with `columns=`, by column id (ADR 0034). */
  values: Type.Optional(Type.Record(Type.String(), DeviceColumnValue)),
});
export type DeviceSummary = Static<typeof DeviceSummary>;

export const DeviceDetail = Type.Composite([
  DeviceSummary,
  Type.Object({
    /** Current inventory: class name -> instances (packages are listed separately, paged). */
    inventory: Type.Record(Type.String(), Type.Array(InventoryInstance)),
    packageSetHash: Nullable(Type.String()),
    collections: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  }),
]);
export type DeviceDetail = Static<typeof DeviceDetail>;

export const ListDevicesQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200 })),
    collection: Type.Optional(Id),
    status: Type.Optional(
      Type.Union([
        Type.Literal('active'),
        Type.Literal('inactive'),
        Type.Literal('revoked'),
        Type.Literal('online'),
        Type.Literal('obsolete'),
      ]),
    ),
    sort: Type.Optional(DeviceListSort),
    /**
     * Comma-separated column ids (ADR 0034): the inventory-backed ones among them are resolved
     * for the page and returned in each item's `values`.
     */
    columns: Type.Optional(Type.String({ maxLength: 4000 })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListDevicesQuery = Static<typeof ListDevicesQuery>;

export const DeviceAction = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  action: NudgeAction,
  requestedBy: Type.String(),
  requestedAt: Type.String(),
  /** When a server process handed the nudge to the agent's push connection. */
  deliveredAt: Nullable(Type.String()),
  /** When the agent reported the work done. */
  completedAt: Nullable(Type.String()),
  state: Type.Union([
    Type.Literal('pending'),
    Type.Literal('delivered'),
    Type.Literal('completed'),
    Type.Literal('not-connected'),
  ]),
});
export type DeviceAction = Static<typeof DeviceAction>;
export const DeviceActionRequest = Type.Object(
  { action: NudgeAction },
  { additionalProperties: false },
);
