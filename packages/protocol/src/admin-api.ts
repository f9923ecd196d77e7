import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CustomClassDefinition, InventoryInstance, PropertyType } from './inventory.js';
import { MessageType, Severity } from './status-catalog.js';
import { NudgeAction } from './agent-api.js';
import { Id, Name, Nullable } from './software/common.js';
import { MAX_MESSAGE_ID, pagingFields, RowCursor, WEEK_MINUTES } from './paging.js';
import { integerSetting, settingsValueProperties } from './settings.js';

/** Admin API base path. Everything the console does goes through here. */
export const API_PREFIX = '/api/v1';

// ---- roles and users ----

export const Role = Type.Union([
  Type.Literal('full-administrator'),
  Type.Literal('operations-administrator'),
  Type.Literal('read-only-analyst'),
]);
export type Role = Static<typeof Role>;

export const Permission = Type.Union([
  Type.Literal('read'),
  Type.Literal('devices:write'),
  Type.Literal('devices:act'),
  Type.Literal('collections:write'),
  Type.Literal('inventory-classes:write'),
  Type.Literal('enrolment:write'),
  Type.Literal('users:write'),
  Type.Literal('audit:read'),
  /** Packages, programs, content, distribution points, boundaries. */
  Type.Literal('software:write'),
  /** Deployments, maintenance windows, phased deployments. */
  Type.Literal('deployments:write'),
]);
export type Permission = Static<typeof Permission>;

/** What each role may do. Every service method checks one of these first. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  'full-administrator': [
    'read',
    'devices:write',
    'devices:act',
    'collections:write',
    'inventory-classes:write',
    'enrolment:write',
    'users:write',
    'audit:read',
    'software:write',
    'deployments:write',
  ],
  'operations-administrator': [
    'read',
    'devices:act',
    'collections:write',
    'enrolment:write',
    'devices:write',
    'software:write',
    'deployments:write',
  ],
  'read-only-analyst': ['read'],
};

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  lastLoginAt: Nullable(Type.String()),
});
export type User = Static<typeof User>;

export const LoginRequest = Type.Object(
  {
    userName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    /**
     * `cookie` (the console): the session goes in an HttpOnly cookie, not in the answer, and
     * state-changing requests must echo the CSRF token. `token` (default): a bearer token.
     */
    session: Type.Optional(Type.Union([Type.Literal('token'), Type.Literal('cookie')])),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;
export const LoginResponse = Type.Object({
  /** The bearer token; absent for a cookie session, whose token JavaScript never sees. */
  token: Type.Optional(Type.String()),
  /** For a cookie session: the value to send in the `x-csrf-token` header. */
  csrfToken: Type.Optional(Type.String()),
  expiresAt: Type.String(),
  user: User,
});
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateUserRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' }),
    password: Type.String({ minLength: 8, maxLength: 1024 }),
    role: Role,
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;
export const UpdateUserRequest = Type.Object(
  {
    role: Type.Optional(Role),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

// ---- enrolment tokens ----

export const CreateEnrolmentTokenRequest = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 500 })),
    /** Hours until the token stops working; default 24, at most a year. */
    expiresInHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760 })),
    /** How many machines may enrol with it; default 100. */
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
  },
  { additionalProperties: false },
);
export type CreateEnrolmentTokenRequest = Static<typeof CreateEnrolmentTokenRequest>;

export const EnrolmentToken = Type.Object({
  id: Type.String(),
  description: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  expiresAt: Type.String(),
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  revoked: Type.Boolean(),
  /** Only in the response that creates it: the secret is never stored in clear. */
  token: Type.Optional(Type.String()),
});
export type EnrolmentToken = Static<typeof EnrolmentToken>;

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
  lastContactAt: Nullable(Type.String()),
  /** Contacted the site within the activity threshold (7 days by default). */
  active: Type.Boolean(),
  /** Holds a push connection right now. */
  online: Type.Boolean(),
  packageCount: Type.Integer(),
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

export const DeviceSort = Type.Union([
  Type.Literal('name'),
  Type.Literal('os'),
  Type.Literal('machineType'),
  Type.Literal('lastContact'),
  Type.Literal('enrolledAt'),
  Type.Literal('memory'),
]);
export type DeviceSort = Static<typeof DeviceSort>;

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
      ]),
    ),
    sort: Type.Optional(DeviceSort),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListDevicesQuery = Static<typeof ListDevicesQuery>;

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() });

export const DevicePackage = Type.Object({
  name: Type.String(),
  version: Type.String(),
  arch: Type.String(),
  manager: Type.String(),
});
export type DevicePackage = Static<typeof DevicePackage>;

export const InventoryChange = Type.Object({
  id: Type.String(),
  at: Type.String(),
  className: Type.String(),
  added: Type.Array(InventoryInstance),
  removed: Type.Array(InventoryInstance),
});
export type InventoryChange = Static<typeof InventoryChange>;

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

/** Client notification to every member of a collection ("fetch policy now" for a whole estate). */
export const CollectionActionResult = Type.Object({
  collectionId: Type.String(),
  action: NudgeAction,
  requestedAt: Type.String(),
  /** Members that got a request (revoked devices are never members). */
  devices: Type.Integer(),
  /** Of those, how many held a push connection when it was sent; the others get it when they reconnect. */
  connected: Type.Integer(),
});
export type CollectionActionResult = Static<typeof CollectionActionResult>;

// ---- inventory classes ----

export const InventoryClassInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  multiInstance: Type.Boolean(),
  builtin: Type.Boolean(),
  properties: Type.Record(Type.String(), PropertyType),
  definition: Type.Optional(CustomClassDefinition),
});
export type InventoryClassInfo = Static<typeof InventoryClassInfo>;

// ---- queries and collections ----

export const QueryError = Type.Object({
  message: Type.String(),
  /** 0-based offset into the query text, and its length. */
  position: Type.Integer(),
  length: Type.Integer(),
  line: Type.Integer(),
  column: Type.Integer(),
});
export type QueryError = Static<typeof QueryError>;

export const CollectionRule = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('query'),
      name: Type.Optional(Type.String({ maxLength: 200 })),
      query: Type.String({ minLength: 1, maxLength: 20000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('direct'), deviceId: Id }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('include'), collectionId: Id }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('exclude'), collectionId: Id }, { additionalProperties: false }),
]);
export type CollectionRule = Static<typeof CollectionRule>;

export const CollectionDefinition = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    limitingCollectionId: Type.Optional(Nullable(Id)),
    rules: Type.Array(CollectionRule, { maxItems: 10000 }),
    /** Minutes between scheduled full evaluations; default 60. */
    evaluationIntervalMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: WEEK_MINUTES })),
  },
  { additionalProperties: false },
);
export type CollectionDefinition = Static<typeof CollectionDefinition>;

export const Collection = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  builtin: Type.Boolean(),
  limitingCollectionId: Nullable(Type.String()),
  rules: Type.Array(CollectionRule),
  evaluationIntervalMinutes: Type.Integer(),
  memberCount: Type.Integer(),
  lastEvaluatedAt: Nullable(Type.String()),
  revision: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Collection = Static<typeof Collection>;

export const CollectionPreviewRequest = Type.Object(
  {
    limitingCollectionId: Type.Optional(Nullable(Id)),
    rules: Type.Array(CollectionRule, { maxItems: 10000 }),
  },
  { additionalProperties: false },
);
export type CollectionPreviewRequest = Static<typeof CollectionPreviewRequest>;
export const CollectionPreview = Type.Object({
  count: Type.Integer(),
  sample: Type.Array(DeviceSummary),
});
export type CollectionPreview = Static<typeof CollectionPreview>;

export const MembershipChange = Type.Object({
  id: Type.String(),
  at: Type.String(),
  deviceId: Type.String(),
  deviceName: Type.String(),
  change: Type.Union([Type.Literal('added'), Type.Literal('removed')]),
  revision: Type.Integer(),
});
export type MembershipChange = Static<typeof MembershipChange>;

export const CollectionRevision = Type.Object({
  revision: Type.Integer(),
  at: Type.String(),
  by: Type.String(),
  definition: CollectionDefinition,
});
export type CollectionRevision = Static<typeof CollectionRevision>;

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

export const ClientActivity = Type.Object({
  collectionId: Type.String(),
  thresholdDays: Type.Integer(),
  total: Type.Integer(),
  active: Type.Integer(),
  inactive: Type.Integer(),
  neverReported: Type.Integer(),
  online: Type.Integer(),
  /** Share of active devices that did each thing within the threshold. */
  recent: Type.Object({
    policyRequest: Type.Integer(),
    heartbeat: Type.Integer(),
    inventory: Type.Integer(),
    statusMessage: Type.Integer(),
  }),
  series: Type.Array(
    Type.Object({ at: Type.String(), active: Type.Integer(), inactive: Type.Integer() }),
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
  details: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** Site-wide settings an administrator can change. */
/**
 * Site-wide settings, declared once (ADR 0016): the site's defaults, the `steward site-settings
 * set` flags and the console's site-settings form come from this declaration.
 */
export const SiteSettingsOptions = {
  /** As in Configuration Manager, a device is inactive after a week without contact. */
  activeThresholdDays: integerSetting({
    label: 'Active threshold',
    help: 'Days without contact after which a device counts as inactive',
    unit: 'days',
    minimum: 1,
    maximum: 365,
    default: 7,
    flag: { kind: 'value', name: 'active-threshold-days', placeholder: '<n>' },
  }),
  statusMessageRetentionDays: integerSetting({
    label: 'Status-message retention',
    help: 'Days status messages are kept; an hourly job deletes older ones',
    unit: 'days',
    minimum: 1,
    maximum: 3650,
    default: 90,
    flag: { kind: 'value', name: 'status-retention-days', placeholder: '<n>' },
  }),
};

export const SiteSettings = Type.Object(settingsValueProperties(SiteSettingsOptions), {
  additionalProperties: false,
});
export type SiteSettings = Static<typeof SiteSettings>;

export const SiteInfo = Type.Object({
  siteCode: Type.String(),
  siteName: Type.String(),
  version: Type.String(),
  agentUrl: Type.String(),
  caFingerprint: Type.String(),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  activeThresholdDays: Type.Integer(),
});
export type SiteInfo = Static<typeof SiteInfo>;
