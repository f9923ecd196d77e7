import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable } from '../common/schemas.js';
import { MAX_MESSAGE_ID, RowCursor } from '../http/paging.js';
import { MessageType, Severity } from './catalog.js';

// ---- status messages and monitoring ----

export const StatusMessage = Type.Object({
  id: Type.String(),
  messageId: Type.Integer(),
  severity: Severity,
  type: MessageType,
  component: Type.String(),
  deviceId: Nullable(Type.String()),
  machine: Type.String(),
  siteCode: Type.String(),
  at: Type.String(),
  receivedAt: Type.String(),
  insertionStrings: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.String()),
  text: Type.String(),
});
export type StatusMessage = Static<typeof StatusMessage>;

export const ListStatusMessagesQuery = Type.Object(
  {
    deviceId: Type.Optional(Id),
    component: Type.Optional(Type.String({ maxLength: 64 })),
    messageId: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_MESSAGE_ID })),
    severity: Type.Optional(Severity),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    /** Return messages older than this message id (paging backwards). */
    before: Type.Optional(RowCursor),
    /** Return messages newer than this message id (live tail). */
    after: Type.Optional(RowCursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type ListStatusMessagesQuery = Static<typeof ListStatusMessagesQuery>;

/** The five activity signals as numbers of devices, or as days (thresholds). */
const PerSignal = Type.Object({
  policyRequest: Type.Integer(),
  heartbeat: Type.Integer(),
  hardwareInventory: Type.Integer(),
  softwareInventory: Type.Integer(),
  statusMessage: Type.Integer(),
});

export const ClientActivity = Type.Object({
  collectionId: Type.String(),
  /** Days each signal keeps a device active (site settings). */
  thresholds: PerSignal,
  /** Live devices in scope, obsolete ones not included. */
  total: Type.Integer(),
  active: Type.Integer(),
  inactive: Type.Integer(),
  /** Live devices marked obsolete (no heartbeat for the obsolete threshold), apart from total. */
  obsolete: Type.Integer(),
  neverReported: Type.Integer(),
  online: Type.Integer(),
  /** Devices in scope whose signal arrived within its threshold, signal by signal. */
  recent: PerSignal,
  /** Hourly snapshots (kept 31 days) and now. */
  series: Type.Array(
    Type.Object({ at: Type.String(), active: Type.Integer(), inactive: Type.Integer() }),
  ),
  /** One point per UTC day: the day's last snapshot (today: now). */
  daily: Type.Array(
    Type.Object({ day: Type.String(), active: Type.Integer(), inactive: Type.Integer() }),
  ),
});
export type ClientActivity = Static<typeof ClientActivity>;

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Type.String(),
  userName: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  /**
   * The target's name now (a device's, a collection's, ...), for targets known by an id; null when
   * the id is the name already (an inventory class, an agent version) or the object is gone.
   */
  targetName: Nullable(Type.String()),
  details: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** What the audit log can be filtered by: every user, action and target type it holds. */
export const AuditFacets = Type.Object({
  users: Type.Array(Type.String()),
  actions: Type.Array(Type.String()),
  targetTypes: Type.Array(Type.String()),
});
export type AuditFacets = Static<typeof AuditFacets>;
